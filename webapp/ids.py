"""Database ids as they arrive from outside (URLs, query strings, form fields, JSON).

Ids are 32-bit integers on PostgreSQL: a larger number names no row, and handing it to the
database would fail (an error page) instead of answering "not found". Every id from outside is
therefore bounded here, in URL rules by the `int` converter below and elsewhere by `parse_id`.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def parse_id(text: str | None) -> int | None:
    """A database id from a query string or form field, or None for anything else."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: digits up to MAX_ID, so a huge number is a plain 404."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
