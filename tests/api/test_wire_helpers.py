"""Pure tests of the wire helpers: query encoding, Digest answers, raw header parsing, JPEG frame finding."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import MalformedReply
from custom_components.cgi_camera.api.client import _extract_frame
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
