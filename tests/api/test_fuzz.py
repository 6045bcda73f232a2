"""Fuzz targets (issue 21): the MJPEG reply header and getAlarmStatus parsers raise nothing but the client's errors.

10,000 examples each, as the issue's acceptance asks; both parsers are pure functions of the bytes, and each target
costs about 14 s of CPU, nearly all of it hypothesis' own (docs/development.md "The client, the emulator"). Structured examples (a status line, headers,
the `getalarmstatus=` and `alarmArea=` fields with odd digits, spacing and case) reach the code behind the first
checks, which random bytes alone rarely do.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import MalformedReply
from custom_components.cgi_camera.api.alarm_status import AlarmStatus
from custom_components.cgi_camera.api.transport import parse_head

FUZZ = settings(
    max_examples=10_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# parse_head decodes the header as Latin-1, so any byte is a character there (¹ ² ³ among them: str.isdigit() is
# true for them, int() refuses them).
_BYTES = st.binary(max_size=12)
_DIGITISH = st.lists(
    st.sampled_from(list(b"0123456789 +-_\t\x0b\x0c\xa0\xb2\xb3\xb9")), max_size=5
).map(bytes)
# A reply head: a status line (often odd), maybe a header line, a blank line in any framing (or none), body bytes.
_HEADS = st.tuples(
    st.sampled_from(
        [b"HTTP/1.1 ", b"HTTP/1.0 ", b"HTTP/1.1\t", b"HTTP/ ", b"http/1.1 ", b""]
    ),
    _DIGITISH | _BYTES,
    st.sampled_from([b"", b" OK", b" Unauthorized", b"OK"]),
    st.sampled_from(
        [
            b"",
            b'\r\nWWW-Authenticate: Digest realm="x"',
            b"\nwww-authenticate :Basic",
            b"\r\nX",
        ]
    ),
    st.sampled_from([b"\r\n\r\n", b"\n\n", b"\r\n\n", b"\r\n", b"\r\r", b""]),
    _BYTES,
).map(b"".join)


@FUZZ
@given(_HEADS | st.binary(max_size=200))
def test_mjpeg_reply_head_fuzz(data: bytes) -> None:
    """A status line of three ASCII digits gives its number; anything else is MalformedReply."""
    try:
        status, challenge, rest = parse_head(data)
    except MalformedReply:
        return
    assert 0 <= status <= 999
    assert challenge is None or isinstance(challenge, str)
    assert isinstance(rest, bytes)


# A getAlarmStatus reply: `getalarmstatus=<flag>` and maybe `alarmArea=a&b&...`, in any case and spacing, amid junk.
_ALARM_REPLIES = st.tuples(
    _BYTES,
    st.sampled_from([b"getalarmstatus", b"OK GetAlarmStatus", b"getalarm", b""]),
    st.sampled_from([b"=", b" = ", b"\t=\n", b":", b""]),
    _DIGITISH,
    st.sampled_from([b"", b"\r\nalarmArea=", b"&ALARMAREA = ", b"alarmArea"]),
    st.lists(st.sampled_from(list(b"01 &\n\xb2")), max_size=12).map(bytes),
    _BYTES,
).map(b"".join)


@FUZZ
@given(_ALARM_REPLIES | st.binary(max_size=200))
def test_alarm_status_fuzz(body: bytes) -> None:
    """A reply with a `getalarmstatus=0|1` flag gives the state and its area flags; anything else is MalformedReply."""
    try:
        status = AlarmStatus.parse(body)
    except MalformedReply:
        return
    assert isinstance(status.motion, bool)
    assert all(isinstance(area, bool) for area in status.areas)
