"""Fixtures for the client tests: an aiohttp session and a client pointed at the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import CgiCamera

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from tests.emulator import CameraEmulator


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A session created (and closed) by the test, as the integration's would be."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def client(emulator: CameraEmulator, session: aiohttp.ClientSession) -> CgiCamera:
    """A client for the emulator with the right credentials."""
    return CgiCamera(
        session,
        "127.0.0.1",
        emulator.port,
        emulator.config.username,
        emulator.config.password,
        timeout=5.0,
    )
