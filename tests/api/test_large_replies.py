"""Large replies are parsed off the event loop (issue 21 item 11; docs/wire-decisions.md "Large replies").

A camera reply nested 100,000 levels deep (700 KB) cost tens of milliseconds of parsing on the event loop per poll.
Replies over 64 KiB are parsed in a worker thread, fed to the parser in pieces so the loop gets its turns; the
cameras' usual replies (a few KB) are parsed where they arrive, as before.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import parse

if TYPE_CHECKING:
    from collections.abc import Callable
    import xml.etree.ElementTree as ET

    from custom_components.cgi_camera.api import CgiCamera
    from tests.emulator import CameraEmulator


@pytest.fixture
def parser_threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the thread of every XML parse (the parser itself still runs)."""
    threads: list[int] = []
    real: Callable[[str], ET.Element] = parse._parse_xml

    def recording(text: str) -> ET.Element:
        threads.append(threading.get_ident())
        return real(text)

    monkeypatch.setattr(parse, "_parse_xml", recording)
    return threads


async def test_nested_reply_is_parsed_off_the_event_loop(
    client: CgiCamera, emulator: CameraEmulator, parser_threads: list[int]
) -> None:
    """A get and a query answered with a 100,000-level nested extra group: read in a worker thread, the values
    are the camera's."""
    emulator.faults.push("nested", 2)
    image = await client.get("image", "ImageInfo", 1)
    assert image["Brightness"] == emulator.state.channel(1).image.data["Brightness"]
    caps = await client.query("image")
    assert caps.has_group("ImageInfo")
    assert len(parser_threads) == 2
    assert threading.get_ident() not in parser_threads


async def test_usual_reply_is_parsed_in_place(
    client: CgiCamera, parser_threads: list[int]
) -> None:
    """A reply of a few KB costs no thread hop."""
    await client.get("image", "ImageInfo", 1)
    assert parser_threads == [threading.get_ident()]
