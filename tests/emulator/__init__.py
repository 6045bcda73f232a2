"""A fake CGI/XML HiSilicon IP camera for tests and demos (docs/architecture.md, "The emulator").

Written from the vendor spec and docs/wire-decisions.md; imports nothing from custom_components, so it catches the
client's mistakes instead of sharing them.
"""

from __future__ import annotations

from .config import PROFILES, EmulatorConfig, Profile
from .mdarea import decode_md_area, encode_md_area
from .ptz import PtzState
from .server import CameraEmulator, FaultKind, Faults, RequestRecord
from .state import CameraState, ChannelState

__all__ = [
    "PROFILES",
    "CameraEmulator",
    "CameraState",
    "ChannelState",
    "EmulatorConfig",
    "FaultKind",
    "Faults",
    "Profile",
    "PtzState",
    "RequestRecord",
    "decode_md_area",
    "encode_md_area",
]
