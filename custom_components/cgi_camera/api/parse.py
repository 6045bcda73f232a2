"""Parsing of the cameras' XML replies.

A reply that could declare anything (a DTD, entities, external references: all written with `<!`) goes through
defusedxml, which refuses them (reported as MalformedReply); one that cannot is read by ElementTree's C parser.
Anything the parser cannot understand raises MalformedReply (a CgiError); nothing else escapes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
import defusedxml.ElementTree as DefusedET

from .errors import MalformedReply, error_for_code

__all__ = [
    "ParamGroup",
    "RawGroup",
    "RawParam",
    "Reply",
    "check_reply",
    "coerce",
    "parse_reply",
]

type Value = int | str

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_END = "</Message>"
_FEED_CHARS = 16 * 1024
# ASCII digits only: `\d` also matches other scripts' digits, which int() reads too (issue 21).
_INT = re.compile(r"\s*[-+]?[0-9]{1,30}\s*")


@dataclass(frozen=True, slots=True)
class RawParam:
    """One element of a group as received: name, type tag (`int`, `string`, ... or None) and text."""

    name: str
    type: str | None
    text: str


@dataclass(frozen=True, slots=True)
class RawGroup:
    """One group block as received, before coercion."""

    name: str
    params: tuple[RawParam, ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """A parsed `<Message>`: header class, result code and description, and the group blocks in order."""

    header_class: str | None
    code: int
    description: str
    groups: tuple[RawGroup, ...]


def coerce(type_: str | None, text: str) -> Value:
    """Return an int for an `<int>` value that is a number; otherwise the text (strings are kept verbatim)."""
    if type_ == "int" and _INT.fullmatch(text):
        return int(text)
    if type_ is None and _INT.fullmatch(text):
        return int(text)
    return text


class ParamGroup(Mapping[str, Value]):
    """The values of one group block (`Mapping[str, int | str]`), with the group's `.name`.

    Values are coerced by their `<int>`/`<string>` tag; unknown elements are kept. When an element repeats inside
    one block, the first occurrence wins.
    """

    __slots__ = ("_values", "name")

    def __init__(self, name: str, values: Mapping[str, Value] | None = None) -> None:
        """Build a group named `name` holding `values`."""
        self.name = name
        self._values: dict[str, Value] = dict(values or {})

    @classmethod
    def from_raw(cls, raw: RawGroup) -> ParamGroup:
        """Build a ParamGroup from a received block."""
        values: dict[str, Value] = {}
        for param in raw.params:
            values.setdefault(param.name, coerce(param.type, param.text))
        return cls(raw.name, values)

    def __getitem__(self, key: str) -> Value:
        """Return the value of element `key`."""
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the element names in reply order."""
        return iter(self._values)

    def __len__(self) -> int:
        """Return the number of elements."""
        return len(self._values)

    def get_int(self, *keys: str) -> int | None:
        """Return the first of `keys` whose value is an int, else None."""
        for key in keys:
            value = self._values.get(key)
            if isinstance(value, int):
                return value
        return None

    def get_str(self, *keys: str) -> str | None:
        """Return the first of `keys` that is present, as a string, else None."""
        for key in keys:
            if key in self._values:
                return str(self._values[key])
        return None

    def __repr__(self) -> str:
        """Show the name and the values (a password-bearing group is shown as received; do not log it)."""
        return f"ParamGroup({self.name!r}, {self._values!r})"


def _parse_xml(text: str) -> ET.Element:
    """Parse `text` with defusedxml, or with ElementTree's C parser when the text cannot hold a DTD.

    defusedxml runs the pure-Python ElementTree (a Python call and object per node), which costs twice the rest of
    a reply's parse. What it guards against is only reachable through a document type declaration: DTDs, entity
    declarations (which live in one) and external references (which need one). All of these, like comments and
    CDATA sections, start with `<!`; a text without `<!` cannot declare anything, and expat itself refuses a
    reference to an entity that was never declared. Such text (every reply the cameras send) is parsed by the C
    parser; anything else by defusedxml, which refuses the DTD.
    """
    parser: ET.XMLParser
    if "<!" in text:
        parser = DefusedET.DefusedXMLParser(target=ET.TreeBuilder(), forbid_dtd=True)
    else:
        parser = ET.XMLParser()  # noqa: S314 (no `<!`: nothing defusedxml refuses can be in it)
    # In pieces: a large reply is parsed in a worker thread (client.py), and the parser holds the GIL for the whole
    # of one feed; between pieces the event loop gets its turn.
    for start in range(0, len(text), _FEED_CHARS):
        parser.feed(text[start : start + _FEED_CHARS])
    root: ET.Element = parser.close()
    return root


def _text_of(element: ET.Element) -> str:
    if len(element):
        return "".join(element.itertext())
    return element.text or ""


def _parse_group(element: ET.Element) -> RawGroup:
    params = []
    for param in element:
        if len(param):
            # <Param><int>5</int></Param>: the type tag wraps the value.
            typed = param[0]
            params.append(RawParam(param.tag, typed.tag, _text_of(typed)))
        else:
            params.append(RawParam(param.tag, None, param.text or ""))
    return RawGroup(element.tag, tuple(params))


def parse_reply(
    body: bytes | str, area: str | None = None, group: str | None = None
) -> Reply:
    """Parse a CGI reply body into a Reply (does not check the result code; see check_reply)."""
    if isinstance(body, bytes):
        # The firmware declares utf-8 but may not honour it: replace undecodable bytes rather than fail.
        text = body.decode("utf-8", errors="replace")
    else:
        text = body
    text = text.lstrip("\ufeff")
    text = _DECLARATION.sub("", text, count=1)
    # Tolerate bytes after </Message> (seen as NULs and junk on some firmware): they are cut off.
    end = text.find(_END)
    if end >= 0:
        text = text[: end + len(_END)]
    try:
        root = _parse_xml(text.strip())
    except (ET.ParseError, DefusedXmlException, ValueError) as err:
        raise MalformedReply(
            f"unparsable XML: {type(err).__name__}", area=area, group=group
        ) from None
    if root.tag != "Message":
        raise MalformedReply("reply is not a <Message>", area=area, group=group)
    header_class: str | None = None
    code = 200
    description = ""
    groups: list[RawGroup] = []
    for child in root:
        tag = child.tag
        if tag == "Header":
            header_class = child.get("class")
        elif tag == "result":
            raw_code = (child.get("code") or "").strip()
            if not _INT.fullmatch(raw_code):
                raise MalformedReply(
                    "result code is not a number", area=area, group=group
                )
            code = int(raw_code)
            description = _text_of(child).strip()
        else:
            groups.append(_parse_group(child))
    return Reply(header_class, code, description, tuple(groups))


def check_reply(
    body: bytes | str, area: str | None = None, group: str | None = None
) -> Reply:
    """Parse a reply and raise the ResultCodeError subclass matching a result code other than 200."""
    reply = parse_reply(body, area, group)
    if reply.code != 200:
        raise error_for_code(reply.code, area, group)
    return reply
