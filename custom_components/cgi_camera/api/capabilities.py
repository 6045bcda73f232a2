"""The `*_query` grammar: what a camera supports and which values it accepts.

Grammar (docs/wire-decisions.md): `a ... b` (also `a...b`, `a … b`, `a .. b`) is an integer range; `a, b, c` a list
(ints for `<int>`, strings for `<string>`); an empty element is read-only; `valid string` / `any string` /
`Any valid string` is a free string. Anything else is kept as a single choice: parsing never fails on odd text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
import re

from .parse import RawGroup, Reply, parse_reply

__all__ = [
    "Capabilities",
    "Capability",
    "CapabilityBlock",
    "Choices",
    "FreeString",
    "IntRange",
    "ReadOnly",
    "parse_capabilities",
    "parse_capability",
]

# ASCII digits only: `\d` also matches other scripts' digits, which int() reads too (issue 21).
_RANGE = re.compile(r"\s*([-+]?[0-9]{1,30})\s*(?:\.{2,}|…+)\s*([-+]?[0-9]{1,30})\s*")
_INT = re.compile(r"\s*[-+]?[0-9]{1,30}\s*")
_FREE = frozenset({"valid string", "any string", "any valid string"})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class IntRange:
    """Every integer from `min` to `max` inclusive."""

    min: int
    max: int

    @property
    def writable(self) -> bool:
        """A range can be set."""
        return True

    def allows(self, value: object) -> bool:
        """Return whether `value` is an int inside the range."""
        return _is_int(value) and self.min <= value <= self.max  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class Choices:
    """Only these values (ints for `<int>` elements, strings for `<string>` elements)."""

    values: tuple[int | str, ...]

    @property
    def writable(self) -> bool:
        """A list of choices can be set."""
        return True

    def allows(self, value: object) -> bool:
        """Return whether `value` is one of the choices (bools are not ints here)."""
        if isinstance(value, bool):
            return False
        return value in self.values


@dataclass(frozen=True, slots=True)
class ReadOnly:
    """The element can be read but not set (empty element in the query reply)."""

    @property
    def writable(self) -> bool:
        """Read-only elements cannot be set."""
        return False

    def allows(self, value: object) -> bool:
        """Nothing may be set."""
        return False


@dataclass(frozen=True, slots=True)
class FreeString:
    """Any (reasonable) string: `valid string` / `any string`."""

    @property
    def writable(self) -> bool:
        """Free strings can be set."""
        return True

    def allows(self, value: object) -> bool:
        """Return whether `value` is a string."""
        return isinstance(value, str)


type Capability = IntRange | Choices | ReadOnly | FreeString


# Query replies repeat a few texts (`0, 1`, `0 ... 255`) many times, and the results are immutable.
@lru_cache(maxsize=512)
def parse_capability(type_: str | None, text: str) -> Capability:
    """Parse one query element's text (`type_` is its type tag: `int`, `string` or None). Never raises."""
    stripped = text.strip()
    if not stripped:
        return ReadOnly()
    if " ".join(stripped.lower().split()) in _FREE:
        return FreeString()
    if match := _RANGE.fullmatch(stripped):
        low, high = int(match.group(1)), int(match.group(2))
        return IntRange(min(low, high), max(low, high))
    items = [item.strip() for item in stripped.split(",")]
    values: list[int | str] = []
    for item in items:
        if not item:
            continue
        value: int | str = (
            int(item) if type_ != "string" and _INT.fullmatch(item) else item
        )
        if value not in values:
            values.append(value)
    if not values:
        return ReadOnly()
    return Choices(tuple(values))


class CapabilityBlock(Mapping[str, Capability]):
    """One block of a query reply's group: element name → Capability, with the group's `.name`."""

    __slots__ = ("_caps", "name")

    def __init__(self, name: str, caps: Mapping[str, Capability]) -> None:
        """Build a block named `name`."""
        self.name = name
        self._caps = dict(caps)

    @classmethod
    def from_raw(cls, raw: RawGroup) -> CapabilityBlock:
        """Build a block from a received group (the first occurrence of a repeated element wins)."""
        caps: dict[str, Capability] = {}
        for param in raw.params:
            if param.name not in caps:
                caps[param.name] = parse_capability(param.type, param.text)
        return cls(raw.name, caps)

    def __getitem__(self, key: str) -> Capability:
        """Return the capability of element `key`."""
        return self._caps[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over element names in reply order."""
        return iter(self._caps)

    def __len__(self) -> int:
        """Return the number of elements."""
        return len(self._caps)

    def __repr__(self) -> str:
        """Show name and capabilities."""
        return f"CapabilityBlock({self.name!r}, {self._caps!r})"


class Capabilities:
    """The parsed reply of `<area>_query`: the blocks of every group, kept apart and in order."""

    __slots__ = ("_blocks", "area")

    def __init__(
        self,
        blocks: list[CapabilityBlock] | tuple[CapabilityBlock, ...] = (),
        area: str | None = None,
    ) -> None:
        """Hold `blocks` (several blocks may share a group name)."""
        self.area = area
        self._blocks: dict[str, list[CapabilityBlock]] = {}
        for block in blocks:
            self._blocks.setdefault(block.name, []).append(block)

    @classmethod
    def from_reply(cls, reply: Reply, area: str | None = None) -> Capabilities:
        """Build from a parsed reply."""
        return cls([CapabilityBlock.from_raw(group) for group in reply.groups], area)

    @property
    def groups(self) -> tuple[str, ...]:
        """Names of the groups present, in reply order."""
        return tuple(self._blocks)

    def has_group(self, group: str) -> bool:
        """Return whether the camera reported `group`."""
        return group in self._blocks

    def blocks(self, group: str) -> list[CapabilityBlock]:
        """Return every block of `group` (empty when absent)."""
        return list(self._blocks.get(group, ()))

    def get(self, group: str, param: str) -> Capability | None:
        """Return `param`'s capability in the first block of `group` that has it, else None."""
        for block in self._blocks.get(group, ()):
            if param in block:
                return block[param]
        return None

    def __contains__(self, group: object) -> bool:
        """`group in caps` is has_group."""
        return group in self._blocks

    def __repr__(self) -> str:
        """Show the area and the group names."""
        return f"Capabilities(area={self.area!r}, groups={self.groups!r})"


def parse_capabilities(
    body: bytes | str, area: str | None = None, group: str | None = None
) -> Capabilities:
    """Parse a `*_query` reply body (raises MalformedReply; does not check the result code)."""
    return Capabilities.from_reply(parse_reply(body, area, group), area)
