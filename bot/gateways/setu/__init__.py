"""Setu's ONDC seller API (issue 6): http.py speaks to it (token, retries, errors), gateway.py
maps the SellerGateway contract onto its routes, records.py keeps what Setu cannot tell back."""
