"""Pure tests of the wire helpers: query encoding, Digest answers, raw header parsing, JPEG frame finding."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl

from hypothesis import given, strategies as st
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import MalformedReply
from custom_components.cgi_camera.api.client import (
    _extract_frame,
    _jpeg_end,
    _walk_to_scan,
)
from custom_components.cgi_camera.api.transport import (
    DigestChallenge,
    build_query,
    is_digest,
    parse_head,
)


def test_build_query_encodes_everything() -> None:
    query = build_query(
        [("Group", "OSDInfo"), ("T", "a&b=c#d e/é?%+"), ("B", True), ("N", 5)]
    )
    assert "&" not in query.split("&", 3)[-1] or query.count("&") == 3
    assert dict(parse_qsl(query)) == {
        "Group": "OSDInfo",
        "T": "a&b=c#d e/é?%+",
        "B": "1",
        "N": "5",
    }


def test_digest_challenge_variants() -> None:
    assert is_digest('Digest realm="x"')
    assert not is_digest('Basic realm="x"')
    assert not is_digest(None)
    challenge = DigestChallenge(
        'Digest realm="cam", nonce="n1", qop="auth,auth-int", algorithm=MD5, opaque="op"'
    )
    header = challenge.authorization("GET", "/x", "admin", "pw")
    assert 'opaque="op"' in header
    assert "qop=auth" in header
    assert "nc=00000001" in header
    assert "nc=00000002" in challenge.authorization("GET", "/x", "admin", "pw")
    plain = DigestChallenge('Digest realm="cam", nonce="n1"').authorization(
        "GET", "/x", "u", "p"
    )
    ha1 = hashlib.md5(b"u:cam:p").hexdigest()
    ha2 = hashlib.md5(b"GET:/x").hexdigest()
    assert hashlib.md5(f"{ha1}:n1:{ha2}".encode()).hexdigest() in plain
    sess = DigestChallenge(
        'Digest realm="cam", nonce="n1", algorithm=MD5-sess'
    ).authorization("GET", "/", "u", "p")
    assert "algorithm=MD5-sess" in sess


def test_parse_head() -> None:
    status, challenge, rest = parse_head(
        b'HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Digest a="b"\n\nbody'
    )
    assert (status, challenge, rest) == (401, 'Digest a="b"', b"body")
    assert parse_head(b"HTTP/1.1 200 OK\r\nX: y\r\n\r\n")[0] == 200
    assert parse_head(b"HTTP/1.0 200 OK")[2] == b""
    with pytest.raises(MalformedReply):
        parse_head(b"garbage\r\n\r\n")


@pytest.mark.parametrize(
    "status",
    [
        b"\xb2",  # superscript two (Latin-1): str.isdigit() is true, int() refuses it
        b"2\xb9\xb3",
        b"\xb3\xb3\xb3",
        b"+200",
        b"2_0",
        b"20",
        b"2000",
    ],
)
def test_parse_head_refuses_a_status_that_is_not_three_ascii_digits(
    status: bytes,
) -> None:
    """Issue 21 item 10: only MalformedReply escapes, whatever the status code's bytes."""
    with pytest.raises(MalformedReply, match="status line"):
        parse_head(b"HTTP/1.1 " + status + b" OK\r\n\r\n")


JPEG = (
    b"\xff\xd8"
    b"\xff\xe1\x00\x10"
    b"\xff\xd8thumb\xff\xd9\x00\x00\x00"  # an EXIF thumbnail with its own EOI inside APP1
    b"\xff\xdb\x00\x04\x00\x00"
    b"\xff\xda\x00\x04\x00\x00"
    b"\x12\xff\x00\x34\xff\xd0\x56\xff\xff\xd9"
)


def test_extract_frames_by_markers() -> None:
    data = bytearray(
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
        + JPEG
        + b"\r\n--boundary\r\n"
        + JPEG[:20]
    )
    frame = _extract_frame(data)
    assert frame == JPEG
    assert _extract_frame(data) is None
    assert data.startswith(b"\xff\xd8")
    data += JPEG[20:]
    assert _extract_frame(data) == JPEG
    junk = bytearray(b"no frame here\xff")
    assert _extract_frame(junk) is None
    assert junk == bytearray(b"\xff")


@pytest.mark.parametrize("cut", range(1, len(JPEG)))
def test_extract_incomplete(cut: int) -> None:
    data = bytearray(JPEG[:cut])
    assert _extract_frame(data) is None
    data += JPEG[cut:]
    assert _extract_frame(data) == JPEG


def test_progressive_and_fill_bytes() -> None:
    jpeg = (
        b"\xff\xd8\x00\xff\xff\xc4\x00\x02"
        b"\xff\x01"
        b"\xff\xda\x00\x02\x11\xff\x00"
        b"\xff\xda\x00\x02\x22"
        b"\xff\xd9"
    )
    data = bytearray(jpeg)
    assert _extract_frame(data) == jpeg
    data = bytearray(jpeg[:-6])
    assert _extract_frame(data) is None


def _jpeg_end_by_walking(data: bytes, start: int) -> int | None:
    """The frame finder before it searched for EOI: every 0xFF of the entropy-coded data looked at in turn."""
    if (walked := _walk_to_scan(data, start)) is None:
        return None
    i, ended = walked
    if ended:
        return i
    n = len(data)
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            return None
        following = data[j + 1]
        if following == 0xD9:
            return j + 2
        if following == 0xDA:
            if j + 3 >= n:
                return None
            i = j + 2 + (data[j + 2] << 8 | data[j + 3])
            continue
        i = j + 2 if following != 0xFF else j + 1


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


@st.composite
def _jpegs(draw: st.DrawFn) -> bytes:
    """JPEG-shaped bytes: header segments (any payload, EOI pairs included), then scans of stuffed data."""
    parts = [b"\xff\xd8"]
    for marker in draw(st.lists(st.sampled_from([0xE0, 0xE1, 0xDB, 0xC0, 0xC4]))):
        parts.append(_segment(marker, draw(st.binary(max_size=24))))
    for _ in range(draw(st.integers(1, 3))):
        # A scan header holds component and table numbers, never a 0xFF byte.
        header = draw(st.binary(max_size=10)).replace(b"\xff", b"\x01")
        parts.append(_segment(0xDA, header))
        for piece in draw(st.lists(st.binary(max_size=16), max_size=6)):
            parts.append(piece.replace(b"\xff", b"\xff\x00"))
            parts.append(
                draw(st.sampled_from([b"", b"\xff\xd0", b"\xff\xd7", b"\xff\xff\xd3"]))
            )
    parts.append(draw(st.sampled_from([b"\xff\xd9", b"\xff\xff\xd9"])))
    return b"".join(parts)


@given(jpeg=_jpegs(), tail=st.binary(max_size=8))
def test_jpeg_end_finds_what_walking_every_marker_finds(
    jpeg: bytes, tail: bytes
) -> None:
    """Searching for EOI after the first scan header ends every frame, whole or cut anywhere, where walking did."""
    data = jpeg + tail
    assert _jpeg_end(data, 0) == _jpeg_end_by_walking(data, 0) == len(jpeg)
    for cut in range(len(jpeg)):
        assert _jpeg_end(data[:cut], 0) == _jpeg_end_by_walking(data[:cut], 0)
