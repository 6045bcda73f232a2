"""The client against each emulator firmware profile (docs/wire-decisions.md "Firmware profiles")."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import CannotConnect, CgiCamera, MalformedReply

if TYPE_CHECKING:
    import aiohttp

    from tests.emulator import CameraEmulator

PASSWORD = "s3cr3t&pw"


def make(session: aiohttp.ClientSession, emu: CameraEmulator) -> CgiCamera:
    """A client for `emu`."""
    return CgiCamera(
        session,
        "127.0.0.1",
        emu.port,
        emu.config.username,
        emu.config.password,
        timeout=5,
    )


@pytest.mark.parametrize("emulator_profile", ["http10"])
async def test_reset_without_content_length_is_a_connection_failure(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """Defect 11.6: a reset in the middle of a reply that has no Content-Length is CannotConnect."""
    emulator.faults.push("reset")
    with pytest.raises(CannotConnect, match="reset"):
        await client.device_info()
    # A reply cut short by a clean close is still one that could not be understood.
    emulator.faults.push("truncated")
    with pytest.raises(MalformedReply):
        await client.device_info()
    assert (await client.device_info()).serial == emulator.config.serial
