"""Parameter groups: values plus the capability (query grammar) of each parameter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
import re
from xml.sax.saxutils import escape

__all__ = [
    "Cap",
    "Choices",
    "FreeString",
    "Group",
    "IntRange",
    "Pattern",
    "ReadOnly",
    "SetError",
    "Value",
    "render_param",
]

type Value = int | str


class SetError(Exception):
    """A set request was refused with result `code`."""

    def __init__(self, code: int, message: str) -> None:
        """Keep the result code."""
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class IntRange:
    """`lo ... hi`: every integer in between."""

    lo: int
    hi: int

    def text(self) -> str:
        """Return the query grammar form."""
        return f"{self.lo} ... {self.hi}"

    def allows(self, value: Value) -> bool:
        """Return True when `value` may be set."""
        return isinstance(value, int) and self.lo <= value <= self.hi


@dataclass(frozen=True, slots=True)
class Choices:
    """`a, b, c`: only these values."""

    values: tuple[Value, ...]

    def text(self) -> str:
        """Return the query grammar form."""
        return ", ".join(str(v) for v in self.values)

    def allows(self, value: Value) -> bool:
        """Return True when `value` may be set."""
        return value in self.values


@dataclass(frozen=True, slots=True)
class ReadOnly:
    """Empty element: can be read, not set."""

    def text(self) -> str:
        """Return the query grammar form."""
        return ""

    def allows(self, value: Value) -> bool:
        """Nothing may be set."""
        return False


@dataclass(frozen=True, slots=True)
class FreeString:
    """`valid string`: any string up to `max_len` characters."""

    max_len: int = 64
    label: str = "valid string"

    def text(self) -> str:
        """Return the query grammar form."""
        return self.label

    def allows(self, value: Value) -> bool:
        """Return True when `value` may be set."""
        return isinstance(value, str) and len(value) <= self.max_len


@dataclass(frozen=True, slots=True)
class Pattern:
    """`valid string` that must match `regex` (IP addresses, serial numbers...)."""

    regex: str
    label: str = "valid string"

    def text(self) -> str:
        """Return the query grammar form."""
        return self.label

    def allows(self, value: Value) -> bool:
        """Return True when `value` may be set."""
        return isinstance(value, str) and re.fullmatch(self.regex, value) is not None


type Cap = IntRange | Choices | ReadOnly | FreeString | Pattern

IPV4 = r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"


def render_param(name: str, value: Value) -> str:
    """Return `<name><int>v</int></name>` or the `<string>` form."""
    tag = "int" if isinstance(value, int) else "string"
    return f"<{name}><{tag}>{escape(str(value))}</{tag}></{name}>"


class Group(MutableMapping[str, Value]):
    """One parameter group (`<ImageInfo>...`): ordered values, each with its capability.

    The type tag of a parameter (`<int>`/`<string>`) is the type of its default value.
    """

    def __init__(
        self,
        name: str,
        params: Mapping[str, tuple[Value, Cap]],
        *,
        aliases: Mapping[str, str] | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        """Build a group from `{param: (default, capability)}`."""
        self.name = name
        self.data: dict[str, Value] = {k: v for k, (v, _) in params.items()}
        self.caps: dict[str, Cap] = {k: c for k, (_, c) in params.items()}
        self.types: dict[str, type] = {k: type(v) for k, (v, _) in params.items()}
        self.defaults: dict[str, Value] = dict(self.data)
        self.aliases: dict[str, str] = dict(aliases or {})
        # Parameters that may be set but are never reported by a get (e.g. Operate).
        self.hidden = hidden
        # Firmware spelling of a parameter on the wire (alt-names profile): canonical name → element name.
        self.wire_names: dict[str, str] = {}

    def spell(self, wire_names: Mapping[str, str]) -> None:
        """Report (and accept in sets) the parameters under other element names, e.g. {"Firmware": "Software"}."""
        self.wire_names.update(wire_names)
        self.aliases.update({wire: name for name, wire in wire_names.items()})

    # Mapping protocol -------------------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Value:
        """Return a current value."""
        return self.data[key]

    def __setitem__(self, key: str, value: Value) -> None:
        """Change a value directly (tests); no validation."""
        if key not in self.data:
            self.caps[key] = (
                FreeString()
                if isinstance(value, str)
                else IntRange(-(2**31), 2**31 - 1)
            )
            self.types[key] = type(value)
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        """Remove a parameter."""
        del self.data[key]
        self.caps.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        """Iterate over parameter names."""
        return iter(self.data)

    def __len__(self) -> int:
        """Return the number of parameters."""
        return len(self.data)

    def __repr__(self) -> str:
        """Show the values."""
        return f"Group({self.name!r}, {self.data!r})"

    # Wire helpers -----------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Restore every default value."""
        self.data.update(self.defaults)

    def canonical(self, name: str) -> str | None:
        """Return the parameter `name` refers to (aliases resolved), or None when unknown."""
        if name in self.data:
            # A firmware that spells the parameter otherwise does not know the canonical name.
            return None if name in self.wire_names else name
        return self.aliases.get(name)

    def coerce(self, name: str, raw: str) -> Value:
        """Convert a query-string value to the parameter's type, raising SetError(402)."""
        if self.types[name] is int:
            try:
                return int(raw.strip())
            except ValueError:
                raise SetError(402, f"{name} is not an integer") from None
        return raw

    def validate(self, params: Mapping[str, str]) -> dict[str, Value]:
        """Check a set request's parameters; return canonical name → typed value (raises SetError)."""
        out: dict[str, Value] = {}
        for raw_name, raw in params.items():
            name = self.canonical(raw_name)
            if name is None:
                raise SetError(403, f"unknown parameter {raw_name}")
            value = self.coerce(name, raw)
            if not self.caps[name].allows(value):
                raise SetError(402, f"bad value for {name}")
            out[name] = value
        return out

    def xml(self, names: list[str] | None = None) -> str:
        """Return the group element with the given (default: every visible) parameters."""
        keys = (
            [k for k in self.data if k not in self.hidden] if names is None else names
        )
        return self.block({k: self.data[k] for k in keys if k in self.data})

    def block(self, values: Mapping[str, Value]) -> str:
        """Return the group element holding `values` (canonical names), spelled as this firmware spells them."""
        inner = "".join(
            render_param(self.wire_names.get(k, k), v) for k, v in values.items()
        )
        return f"<{self.name}>{inner}</{self.name}>"

    def query_xml(self) -> str:
        """Return the group element in the query grammar."""
        parts = []
        for k, cap in self.caps.items():
            tag = "int" if self.types[k] is int else "string"
            wire = self.wire_names.get(k, k)
            parts.append(f"<{wire}><{tag}>{escape(cap.text())}</{tag}></{wire}>")
        return f"<{self.name}>{''.join(parts)}</{self.name}>"
