"""The motion-detection area bitmap (`MDArea`): 18 rows x 22 columns.

Wire form (docs/wire-decisions.md): 18 row values joined by `/` (a trailing `/` tolerated). Each row is a number in
base 64 with digits `0-9a-zA-Z:;`, least-significant digit first; bit i = column i counted from the left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import MalformedReply

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MD_COLS", "MD_ROWS", "MotionArea"]

MD_ROWS = 18
MD_COLS = 22
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:;"
_VALUE = {digit: index for index, digit in enumerate(_DIGITS)}
_FULL_ROW = (1 << MD_COLS) - 1


def _decode_row(text: str) -> int:
    value = 0
    for position, digit in enumerate(text):
        if digit not in _VALUE:
            raise MalformedReply(
                f"bad MDArea digit {digit!r}", area="alarm", group="MDInfo"
            )
        value |= _VALUE[digit] << (6 * position)
    if value > _FULL_ROW:
        raise MalformedReply(
            "MDArea row wider than 22 columns", area="alarm", group="MDInfo"
        )
    return value


def _encode_row(value: int) -> str:
    digits = []
    while True:
        digits.append(_DIGITS[value & 63])
        value >>= 6
        if not value:
            return "".join(digits)


@dataclass(frozen=True, slots=True)
class MotionArea:
    """An immutable 18x22 bitmap; `rows[r]` bit c is the cell in row r, column c (0 = leftmost)."""

    rows: tuple[int, ...] = (0,) * MD_ROWS

    def __post_init__(self) -> None:
        """Check the shape."""
        if len(self.rows) != MD_ROWS or any(
            not 0 <= row <= _FULL_ROW for row in self.rows
        ):
            raise ValueError("a MotionArea has 18 rows of 22 bits")

    @classmethod
    def parse(cls, text: str) -> MotionArea:
        """Decode the wire form; raise MalformedReply on anything else."""
        parts = text.strip().split("/")
        if parts and parts[-1] == "" and len(parts) == MD_ROWS + 1:
            parts.pop()
        if len(parts) != MD_ROWS or any(not part for part in parts):
            raise MalformedReply(
                "MDArea must have 18 rows", area="alarm", group="MDInfo"
            )
        return cls(tuple(_decode_row(part) for part in parts))

    def format(self) -> str:
        """Encode to the wire form (shortest digits, no trailing `/`)."""
        return "/".join(_encode_row(row) for row in self.rows)

    @classmethod
    def full(cls) -> MotionArea:
        """Every cell set."""
        return cls((_FULL_ROW,) * MD_ROWS)

    @classmethod
    def empty(cls) -> MotionArea:
        """No cell set."""
        return cls()

    @classmethod
    def from_cells(cls, cells: Iterable[tuple[int, int]]) -> MotionArea:
        """Build from (row, column) pairs."""
        rows = [0] * MD_ROWS
        for row, col in cells:
            if not (0 <= row < MD_ROWS and 0 <= col < MD_COLS):
                raise ValueError("cell outside the 18x22 grid")
            rows[row] |= 1 << col
        return cls(tuple(rows))

    def cell(self, row: int, col: int) -> bool:
        """Return whether cell (row, column) is set."""
        return bool(self.rows[row] >> col & 1)

    def cells(self) -> list[tuple[int, int]]:
        """Return the set cells as (row, column) pairs."""
        return [
            (r, c)
            for r in range(MD_ROWS)
            for c in range(MD_COLS)
            if self.rows[r] >> c & 1
        ]

    def __str__(self) -> str:
        """The wire form."""
        return self.format()
