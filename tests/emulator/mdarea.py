"""The MDArea motion bitmap codec (18 rows × 22 columns), written from docs/wire-decisions.md."""

from __future__ import annotations

__all__ = ["COLUMNS", "DIGITS", "ROWS", "decode_md_area", "encode_md_area"]

ROWS = 18
COLUMNS = 22
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:;"
_VALUE = {c: i for i, c in enumerate(DIGITS)}


def _decode_row(text: str) -> int:
    if not text:
        raise ValueError("empty row")
    value = 0
    for i, char in enumerate(text):  # least-significant digit first
        value += _VALUE[char] * 64**i
    if value >= 1 << COLUMNS:
        raise ValueError("row too wide")
    return value


def _encode_row(value: int) -> str:
    if value == 0:
        return "0"
    out = []
    while value:
        value, digit = divmod(value, 64)
        out.append(DIGITS[digit])
    return "".join(out)


def decode_md_area(text: str) -> list[list[bool]]:
    """Return rows of cells (True = detection on); raise ValueError (or KeyError) for a malformed string."""
    rows = text.split("/")
    if rows and rows[-1] == "":
        rows = rows[:-1]  # a trailing "/" is tolerated
    if len(rows) != ROWS:
        raise ValueError("need 18 rows")
    try:
        values = [_decode_row(r) for r in rows]
    except KeyError as err:
        raise ValueError("bad digit") from err
    return [[bool(v >> col & 1) for col in range(COLUMNS)] for v in values]


def encode_md_area(cells: list[list[bool]]) -> str:
    """Return the shortest wire form of an 18 × 22 bitmap."""
    return "/".join(
        _encode_row(sum(1 << i for i, on in enumerate(row) if on)) for row in cells
    )
