"""Pure parser tests: XML replies, the query grammar, MDArea, models, helpers (no sockets)."""

from __future__ import annotations

import contextlib
import re
from unittest.mock import patch
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape as xml_escape

from defusedxml import DefusedXmlException
import defusedxml.ElementTree as DefusedET
from hypothesis import given, settings, strategies as st
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import (
    Capabilities,
    CgiError,
    Choices,
    FreeString,
    IntRange,
    InvalidChannel,
    InvalidName,
    InvalidValue,
    MalformedReply,
    MotionArea,
    NotAvailableInMode,
    NotSupported,
    ParamGroup,
    ReadOnly,
    ResultCodeError,
    ServerFailed,
)
from custom_components.cgi_camera.api.capabilities import (
    CapabilityBlock,
    parse_capabilities,
    parse_capability,
)
from custom_components.cgi_camera.api.errors import (
    CameraTimeout,
    CannotConnect,
    error_for_code,
)
from custom_components.cgi_camera.api.parse import (
    RawGroup,
    RawParam,
    Reply,
    check_reply,
    coerce,
    parse_reply,
)


def message(body: str, code: int = 200, cls: str = "x_get") -> bytes:
    """A reply in the spec's shape."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Message>\n<Header class="{cls}"></Header>\n'
        f'<result code="{code}">Successfully</result>\n{body}</Message>\n'
    ).encode()


# XML replies -----------------------------------------------------------------------------------------------------
def test_parse_get_reply() -> None:
    reply = check_reply(
        message(
            "<StreamInfo><Resolution><string>1920x1080</string></Resolution><BitRate><int>8000</int></BitRate>"
            "<Odd><int>abc</int></Odd><Bare>12</Bare><Text>hi</Text><Empty><int></int></Empty>"
            "<BitRate><int>1</int></BitRate></StreamInfo>"
        )
    )
    assert reply.header_class == "x_get"
    group = ParamGroup.from_raw(reply.groups[0])
    assert group.name == "StreamInfo"
    assert dict(group) == {
        "Resolution": "1920x1080",
        "BitRate": 8000,
        "Odd": "abc",
        "Bare": 12,
        "Text": "hi",
        "Empty": "",
    }
    assert len(group) == 6
    assert group.get_int("Nope", "BitRate") == 8000
    assert group.get_int("Resolution") is None
    assert group.get_str("BitRate") == "8000"
    assert group.get_str("Nope") is None
    assert "StreamInfo" in repr(group)


def test_string_values_kept_verbatim() -> None:
    group = ParamGroup.from_raw(
        check_reply(message("<G><S><string> a b </string></S></G>")).groups[0]
    )
    assert group["S"] == " a b "
    assert coerce("int", " 42 ") == 42
    assert coerce("string", "42") == "42"


def test_repeated_groups_are_blocks() -> None:
    reply = check_reply(
        message("<U><N><string>a</string></N></U><U><N><string>b</string></N></U>")
    )
    assert [ParamGroup.from_raw(g)["N"] for g in reply.groups] == ["a", "b"]


@pytest.mark.parametrize(
    ("code", "exc"),
    [
        (401, InvalidChannel),
        (402, InvalidValue),
        (403, InvalidName),
        (501, NotSupported),
        (502, NotAvailableInMode),
        (503, ServerFailed),
        (999, ResultCodeError),
    ],
)
def test_result_codes(code: int, exc: type[ResultCodeError]) -> None:
    with pytest.raises(exc) as info:
        check_reply(message("", code=code), "image", "ImageInfo")
    assert type(info.value) is exc
    assert info.value.code == code
    assert info.value.area == "image"
    assert info.value.group == "ImageInfo"
    assert "image/ImageInfo" in str(info.value)


def test_trailing_garbage_tolerated() -> None:
    reply = check_reply(
        message("<G><A><int>1</int></A></G>") + b"\x00garbage after the message<<<"
    )
    assert ParamGroup.from_raw(reply.groups[0])["A"] == 1


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"no Image.\n",
        b"\x00\x17<html><body>Internal garbage \xff\xfe</body>\n",
        b"<html><body>x</body></html>",
        message("<G><A><int>1</int></A></G>")[:60],
        b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY boom "boom">]><Message>&boom;</Message>',
        b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><Message/>',
        b'<Message><result code="abc">x</result></Message>',
    ],
)
def test_malformed(body: bytes) -> None:
    with pytest.raises(MalformedReply):
        check_reply(body)


def test_bom_non_utf8_and_missing_result() -> None:
    reply = parse_reply("\ufeff<Message><G><A><string>\xe9</string></A></G></Message>")
    assert reply.code == 200
    reply = parse_reply(b"<Message><G><A><string>\xb0C</string></A></G></Message>")
    assert ParamGroup.from_raw(reply.groups[0])["A"] == "\ufffdC"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_parse_never_crashes(body: bytes) -> None:
    with contextlib.suppress(CgiError):
        check_reply(body)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80
    )
)
def test_parse_arbitrary_element_text(text: str) -> None:
    body = "<Message><G><A><int>{0}</int></A><B><string>{0}</string></B></G></Message>".format(
        text.replace("&", "&amp;").replace("<", "&lt;")
    )
    with contextlib.suppress(MalformedReply):
        parse_capabilities(body.encode())


def _reference_parse(body: bytes) -> Reply:
    """The parse as it was before the C-parser fast path: defusedxml's tree for every reply, walked with itertext."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1, flags=re.IGNORECASE)
    if (end := text.find("</Message>")) >= 0:
        text = text[: end + len("</Message>")]
    try:
        root = DefusedET.fromstring(text.strip(), forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as err:
        raise MalformedReply(f"unparsable XML: {type(err).__name__}") from None
    if root.tag != "Message":
        raise MalformedReply("reply is not a <Message>")
    header_class, code, description, groups = None, 200, "", []
    for child in root:
        if child.tag == "Header":
            header_class = child.get("class")
        elif child.tag == "result":
            raw_code = (child.get("code") or "").strip()
            if not re.fullmatch(r"\s*[-+]?\d{1,30}\s*", raw_code):
                raise MalformedReply("result code is not a number")
            code, description = int(raw_code), "".join(child.itertext()).strip()
        else:
            params = []
            for param in child:
                if children := list(param):
                    text_of = "".join(children[0].itertext())
                    params.append(RawParam(param.tag, children[0].tag, text_of))
                else:
                    params.append(RawParam(param.tag, None, param.text or ""))
            groups.append(RawGroup(child.tag, tuple(params)))
    return Reply(header_class, code, description, tuple(groups))


_XML_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("\n\t "),
    max_size=8,
).map(xml_escape)
_XML_MARKUP = st.sampled_from(["<?pi x?>", "&#65;", "&amp;", "&lt;", "\n"])
# At most one a document: comments and CDATA send it to defusedxml, the others make it malformed.
_XML_RARE = st.sampled_from(
    ["<!-- c -->", "<![CDATA[<b>]]>", "&boom;", "<u:x/>", "<a>", "\x01", "</G>"]
)
_XML_NAMES = st.sampled_from(["Header", "result", "G", "A", "int", "string", "n:B"])
_XML_ATTRS = st.tuples(
    st.sampled_from(["", "", ' class="x_get"', ' xmlns="urn:x"']),
    st.sampled_from(["", ' code="200"', ' code=" 402 "', ' code="abc"']),
).map("".join)


def _xml_element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda name, attrs, inner: f"<{name}{attrs}>{''.join(inner)}</{name}>"
        if inner or len(attrs) % 2
        else f"<{name}{attrs}/>",
        _XML_NAMES,
        _XML_ATTRS,
        st.lists(children, max_size=4),
    )


_XML_NODES = st.recursive(_XML_TEXT | _XML_MARKUP, _xml_element, max_leaves=16)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>\n', "\ufeff", " \n"]),
    st.sampled_from(["Message"] * 7 + ["G"]),
    st.lists(_XML_NODES, max_size=6),
    st.lists(_XML_RARE, max_size=1),
    st.sampled_from(["", "", "\n", "\x00junk<<"]),
)
def test_parse_matches_defusedxml_tree_walk(
    prolog: str, root: str, nodes: list[str], rare: list[str], trailer: str
) -> None:
    """Whichever parser reads a reply, the Reply (or the error) is the one defusedxml's tree gave."""
    inner = "".join(nodes[:1] + rare + nodes[1:])
    body = f'{prolog}<{root} xmlns:n="urn:n">{inner}</{root}>{trailer}'.encode()
    try:
        expected: Reply | str = _reference_parse(body)
    except MalformedReply as err:
        expected = str(err)
    try:
        got: Reply | str = parse_reply(body)
    except MalformedReply as err:
        got = str(err)
    assert got == expected


def test_fast_path_reads_nested_and_namespaced_text() -> None:
    reply = check_reply(
        b'<Message xmlns:n="urn:n"><result code="200">Suc<i>cess</i>fully</result>'
        b"<G><A><int>1<b>2</b>3</int><string>x</string>tail</A><n:B>4<?pi?>5</n:B></G></Message>"
    )
    assert reply.description == "Successfully"
    assert reply.groups[0].params == (
        RawParam("A", "int", "123"),
        RawParam("{urn:n}B", None, "45"),
    )


def test_replies_that_could_declare_go_through_defusedxml() -> None:
    """A reply without `<!` cannot hold a DTD and is read by the C parser; one with `<!` by defusedxml."""
    plain = message("<G><A><int>1</int></A></G>")
    with patch.object(DefusedET, "fromstring", side_effect=AssertionError):
        assert check_reply(plain).groups[0].params == (RawParam("A", "int", "1"),)
    commented = message("<G><!-- a comment --><A><int>1</int></A></G>")
    assert check_reply(commented) == check_reply(plain)
    with pytest.raises(MalformedReply, match="EntitiesForbidden|DTDForbidden"):
        check_reply(
            b'<!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<Message><G><A>&b;</A></G></Message>"
        )
    # Without a DTD, an entity reference is refused by expat itself.
    with pytest.raises(MalformedReply, match="ParseError"):
        check_reply(b"<Message><G><A>&b;</A></G></Message>")


# Errors ------------------------------------------------------------------------------------------------------------
def test_error_hierarchy() -> None:
    assert issubclass(CameraTimeout, CannotConnect)
    assert issubclass(CannotConnect, CgiError)
    err = error_for_code(402, "a", "g")
    assert isinstance(err, InvalidValue)
    assert str(CgiError()) == "CgiError"


# Query grammar -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "text", "expected"),
    [
        ("int", "1 ... 30", IntRange(1, 30)),
        ("int", "1...30", IntRange(1, 30)),
        ("int", "1 …  30", IntRange(1, 30)),
        ("int", "-10 ... 10", IntRange(-10, 10)),
        ("int", "30 ... 1", IntRange(1, 30)),
        ("int", "1000, 2000, 3000", Choices((1000, 2000, 3000))),
        ("int", "5", Choices((5,))),
        ("int", "1, x", Choices((1, "x"))),
        ("string", "1280x720, CLOSED", Choices(("1280x720", "CLOSED"))),
        ("string", "0, 1", Choices(("0", "1"))),
        ("int", "", ReadOnly()),
        ("string", "   ", ReadOnly()),
        ("int", " , ,", ReadOnly()),
        ("string", "valid string", FreeString()),
        ("string", "any string", FreeString()),
        ("string", "Any valid string", FreeString()),
        (None, "1, 2", Choices((1, 2))),
        ("int", "1, 1, 2", Choices((1, 2))),
    ],
)
def test_grammar(type_: str | None, text: str, expected: object) -> None:
    assert parse_capability(type_, text) == expected


def test_capability_semantics() -> None:
    rng = IntRange(1, 30)
    assert rng.writable
    assert rng.allows(1)
    assert rng.allows(30)
    assert not rng.allows(0)
    assert not rng.allows(31)
    assert not rng.allows("5")
    assert not rng.allows(True)
    choices = Choices((1, "CLOSED"))
    assert choices.writable
    assert choices.allows(1)
    assert choices.allows("CLOSED")
    assert not choices.allows(2)
    assert not choices.allows(True)
    assert not ReadOnly().writable
    assert not ReadOnly().allows(1)
    assert FreeString().writable
    assert FreeString().allows("x")
    assert not FreeString().allows(1)


def test_capabilities_blocks() -> None:
    caps = parse_capabilities(
        message(
            "<StreamInfo><Resolution><string>1280x720</string></Resolution>"
            "<BitRate><int>1000, 2000</int></BitRate><FrameRate><int>1 ... 30</int></FrameRate></StreamInfo>"
            "<StreamInfo><Resolution><string>1920x1080</string></Resolution>"
            "<BitRate><int>1000, 8000</int></BitRate><Extra><int>1...2</int></Extra></StreamInfo>"
            "<DeviceInfo><DeviceID><string></string></DeviceID><DeviceID><string>x</string></DeviceID></DeviceInfo>"
        ),
        "major_stream",
    )
    assert caps.groups == ("StreamInfo", "DeviceInfo")
    assert caps.has_group("StreamInfo")
    assert "DeviceInfo" in caps
    assert not caps.has_group("X")
    blocks = caps.blocks("StreamInfo")
    assert len(blocks) == 2
    assert blocks[1]["BitRate"] == Choices((1000, 8000))
    assert blocks[0].name == "StreamInfo"
    assert len(blocks[0]) == 3
    assert list(blocks[0])[0] == "Resolution"
    assert caps.get("StreamInfo", "BitRate") == Choices((1000, 2000))
    assert caps.get("StreamInfo", "Extra") == IntRange(1, 2)
    assert caps.get("StreamInfo", "Nope") is None
    assert caps.get("Nope", "Nope") is None
    assert caps.blocks("Nope") == []
    assert caps.get("DeviceInfo", "DeviceID") == ReadOnly()
    assert "major_stream" in repr(caps)
    assert "StreamInfo" in repr(blocks[0])
    assert Capabilities().groups == ()
    assert CapabilityBlock("G", {}).name == "G"


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["int", "string", None, "float"]), st.text(max_size=60))
def test_grammar_never_crashes(type_: str | None, text: str) -> None:
    cap = parse_capability(type_, text)
    assert isinstance(cap, IntRange | Choices | ReadOnly | FreeString)


@given(
    st.integers(-(10**6), 10**6),
    st.integers(-(10**6), 10**6),
    st.sampled_from([" ... ", "...", " … "]),
)
def test_grammar_ranges(a: int, b: int, sep: str) -> None:
    cap = parse_capability("int", f"{a}{sep}{b}")
    assert cap == IntRange(min(a, b), max(a, b))
    assert cap.allows(a)
    assert cap.allows(b)


@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=10, unique=True))
def test_grammar_lists(values: list[int]) -> None:
    assert parse_capability("int", ", ".join(map(str, values))) == Choices(
        tuple(values)
    )


# MDArea ------------------------------------------------------------------------------------------------------------
def test_motion_area_examples() -> None:
    assert MotionArea.parse("/".join(["1"] + ["0"] * 17)).rows[0] == 1
    area = MotionArea.parse("/".join([";f"] + ["0"] * 16 + [";;;f"]) + "/")
    assert area.rows[0] == 1023
    assert area.rows[17] == (1 << 22) - 1
    assert area.cell(0, 9)
    assert not area.cell(0, 10)
    assert area.format() == "/".join([";f"] + ["0"] * 16 + [";;;f"])
    assert str(MotionArea.full()) == "/".join([";;;f"] * 18)
    assert MotionArea.empty().format() == "/".join(["0"] * 18)
    cells = MotionArea.from_cells([(0, 0), (17, 21)])
    assert cells.cells() == [(0, 0), (17, 21)]
    with pytest.raises(ValueError, match="outside"):
        MotionArea.from_cells([(18, 0)])
    with pytest.raises(ValueError, match="18 rows"):
        MotionArea((0,) * 3)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0/0",
        "/".join(["0"] * 19),
        "/".join(["0"] * 17 + ["!"]),
        "/".join(["0"] * 17 + ["0000"]) + "//",
        "/".join(["0"] * 17 + [";;;;"]),
        "/".join(["0"] * 17 + [""]),
    ],
)
def test_motion_area_malformed(text: str) -> None:
    with pytest.raises(MalformedReply):
        MotionArea.parse(text)


@given(st.lists(st.integers(0, (1 << 22) - 1), min_size=18, max_size=18))
def test_motion_area_round_trip(rows: list[int]) -> None:
    area = MotionArea(tuple(rows))
    assert MotionArea.parse(area.format()) == area
    assert MotionArea.parse(area.format() + "/") == area


@settings(max_examples=300)
@given(st.text(alphabet="0123456789abcXYZ:;/!", max_size=120))
def test_motion_area_parse_never_crashes(text: str) -> None:
    try:
        area = MotionArea.parse(text)
    except MalformedReply:
        return
    assert MotionArea.parse(area.format()) == area


# Digits are ASCII (issue 21 item 10's audit) -----------------------------------------------------------------------
_ARABIC_INDIC_3 = (
    "\u0663"  # a Unicode decimal digit: `\d` and int() take it, no camera writes it
)


def test_non_ascii_digits_are_text_not_numbers() -> None:
    """A value, range or result code written with non-ASCII digits is not read as a number."""
    assert coerce("int", _ARABIC_INDIC_3) == _ARABIC_INDIC_3
    assert coerce(None, "\uff11\uff12") == "\uff11\uff12"  # fullwidth 12
    assert parse_capability("int", f"1 ... {_ARABIC_INDIC_3}") == Choices(
        (f"1 ... {_ARABIC_INDIC_3}",)
    )
    assert parse_capability("int", f"1, {_ARABIC_INDIC_3}") == Choices(
        (1, _ARABIC_INDIC_3)
    )
    with pytest.raises(MalformedReply, match="result code"):
        check_reply(f'<Message><result code="{_ARABIC_INDIC_3}00">x</result></Message>')
