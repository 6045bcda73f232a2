"""The web page's `/form/` handlers some firmware has: here only `/form/presetSet` (profile "preset-form").

`flag=3` saves the current position as preset `presetNum + 1`, `flag=4` recalls it (presetNum is 0-based, field
notes §3.12, §7 D.18); the answer is plain text `$STATE$=1` (0 for a bad flag or an unknown preset).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .state import CameraState

__all__ = ["FORM_PRESET_PATH", "handle_preset_form"]

FORM_PRESET_PATH = "/form/presetSet"


def handle_preset_form(state: CameraState, params: Mapping[str, str]) -> bytes:
    """Answer `/form/presetSet` (channel 1: the web page has no channel), mutating the PTZ state."""
    head = state.channel(1).ptz
    flag, number = params.get("flag", ""), params.get("presetNum", "")
    ok = False
    if number.isdigit():
        preset = int(number) + 1
        if flag == "3":
            head.save_preset(preset, None)
            ok = True
        elif flag == "4":
            ok = head.call_preset(preset)
    return (
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n$STATE$="
        + (b"1" if ok else b"0")
        + b"\n"
    )
