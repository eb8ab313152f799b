"""Setu's ONDC seller API (issue 6): http.py speaks to it (token, retries, errors); the gateway
itself, mapping our contract onto Setu's routes, comes next."""
