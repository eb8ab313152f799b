"""ONDC retail categories and Setu incorporation types, as data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One ONDC retail domain: a short code for callback data and the value the gateway receives."""

    code: str
    value: str

    @property
    def domain(self) -> str:
        """The ONDC `context.domain` for this category, e.g. "ONDC:RET10"."""
        return f"ONDC:{self.code}"


# ondc-retail.md §1. Values are the names of that table; Setu publishes no enum for seller
# categories, but its examples send exactly "F&B" and "Grocery", so those two must match verbatim.
# The AGR domains are left out: they are agri output (B2B), not retail for a small shop.
CATEGORIES: tuple[Category, ...] = (
    Category("RET10", "Grocery"),
    Category("RET11", "F&B"),
    Category("RET12", "Fashion"),
    Category("RET13", "BPC"),
    Category("RET14", "Electronics"),
    Category("RET15", "Appliances"),
    Category("RET16", "Home & Kitchen"),
    Category("RET17", "Toys & Games"),
    Category("RET18", "Agriculture"),
    Category("RET19", "Health & Wellness"),
    Category("RET1A", "Autoparts & Components"),
    Category("RET1B", "Hardware and Industrial"),
    Category("RET1C", "Building and construction supplies"),
    Category("RET1D", "Chemicals"),
)

_BY_CODE = {category.code: category for category in CATEGORIES}
_BY_VALUE = {category.value: category for category in CATEGORIES}


def category_by_code(code: str) -> Category:
    """The category with this short code; KeyError if there is none."""
    return _BY_CODE[code]


def category_by_value(value: str) -> Category:
    """The category with this gateway value; KeyError if there is none."""
    return _BY_VALUE[value]


# Setu's SellerInputDTO enum. Setu gives no meanings; these readings are inferred from the codes.
INCORPORATION_TYPES: tuple[str, ...] = (
    "PRLC",  # private limited company
    "PULC",  # public limited company
    "PAR",  # partnership firm
    "LLP",  # limited liability partnership
    "OPC",  # one-person company
    "SP",  # sole proprietorship: most small sellers
    "NP",  # non-profit (section 8 company, trust, society)
)

# Setu requires an FSSAI licence number from a seller in either of these categories.
FSSAI_CATEGORIES = frozenset({"F&B", "Grocery"})
