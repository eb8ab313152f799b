"""Indian banks by the first four letters of an IFSC (the RBI's bank code), for one-tap answers."""

from __future__ import annotations

# The banks most small sellers bank with: public sector, large private, small finance and
# payments banks. An IFSC from any other bank simply gets no suggestion; the seller types it.
_BANKS: dict[str, str] = {
    "SBIN": "State Bank of India",
    "PUNB": "Punjab National Bank",
    "BARB": "Bank of Baroda",
    "CNRB": "Canara Bank",
    "UBIN": "Union Bank of India",
    "BKID": "Bank of India",
    "IDIB": "Indian Bank",
    "IOBA": "Indian Overseas Bank",
    "CBIN": "Central Bank of India",
    "MAHB": "Bank of Maharashtra",
    "UCBA": "UCO Bank",
    "PSIB": "Punjab & Sind Bank",
    "HDFC": "HDFC Bank",
    "ICIC": "ICICI Bank",
    "UTIB": "Axis Bank",
    "KKBK": "Kotak Mahindra Bank",
    "INDB": "IndusInd Bank",
    "YESB": "Yes Bank",
    "IDFB": "IDFC FIRST Bank",
    "FDRL": "Federal Bank",
    "RATN": "RBL Bank",
    "BDBL": "Bandhan Bank",
    "KARB": "Karnataka Bank",
    "KVBL": "Karur Vysya Bank",
    "SIBL": "South Indian Bank",
    "CIUB": "City Union Bank",
    "TMBL": "Tamilnad Mercantile Bank",
    "JAKA": "Jammu and Kashmir Bank",
    "DLXB": "Dhanlaxmi Bank",
    "CSBK": "CSB Bank",
    "AUBL": "AU Small Finance Bank",
    "ESFB": "Equitas Small Finance Bank",
    "UJVN": "Ujjivan Small Finance Bank",
    "AIRP": "Airtel Payments Bank",
    "IPOS": "India Post Payments Bank",
    "PYTM": "Paytm Payments Bank",
    "FINO": "Fino Payments Bank",
}


def bank_name_for(ifsc: str) -> str | None:
    """The bank an IFSC belongs to, if it is one of the banks above."""
    return _BANKS.get(ifsc[:4].upper())
