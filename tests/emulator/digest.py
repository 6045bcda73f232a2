"""HTTP Digest (RFC 7616, MD5) as the camera checks it: one implementation for its web server and its RTSP server."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

_FIELD = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse_digest(text: str) -> dict[str, str]:
    """Return the fields of a Digest Authorization header's value (after the scheme), names lower-cased."""
    return {
        m[1].lower(): m[2] if m[2] is not None else m[3] for m in _FIELD.finditer(text)
    }


def digest_ok(
    fields: Mapping[str, str],
    *,
    method: str,
    username: str,
    realm: str,
    password: str,
    nonces: Collection[str],
) -> bool:
    """Return whether `fields` prove `username`:`password` for `method` with one of the server's `nonces`."""
    try:
        nonce, uri, response = fields["nonce"], fields["uri"], fields["response"]
        if fields["username"] != username or fields["realm"] != realm:
            return False
    except KeyError:
        return False
    if nonce not in nonces or fields.get("algorithm", "MD5").upper() != "MD5":
        return False
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    qop = fields.get("qop")
    if qop == "auth":
        nc, cnonce = fields.get("nc"), fields.get("cnonce")
        if not nc or not cnonce:
            return False
        expected = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    elif qop is None:
        expected = _md5(f"{ha1}:{nonce}:{ha2}")
    else:
        return False
    return secrets.compare_digest(expected, response.lower())


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()
