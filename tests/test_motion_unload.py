"""Unloading with ONVIF motion running, when the camera hangs on Unsubscribe or the stop is cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api.onvif_events import _shielded
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Callable
    import xml.etree.ElementTree as ET

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator.onvif import OnvifServer

ONVIF = EmulatorConfig(
    username=USERNAME, password=PASSWORD, mac=MAC, onvif=True, reboot_seconds=0.2
)


async def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def _slow_unsubscribe(
    onvif: OnvifServer, monkeypatch: pytest.MonkeyPatch, delay: float
) -> tuple[asyncio.Event, asyncio.Event]:
    """Make the camera answer Unsubscribe after `delay` seconds, or once the returned `answer` event is set.

    The other event is set when an Unsubscribe arrives.
    """
    dispatch = onvif._dispatch
    arrived, answer = asyncio.Event(), asyncio.Event()

    async def slow(service: str, operation: str, element: ET.Element) -> str:
        if operation == "Unsubscribe":
            arrived.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answer.wait(), delay)
        return await dispatch(service, operation, element)

    monkeypatch.setattr(onvif, "_dispatch", slow)
    return arrived, answer


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_unload_when_the_camera_hangs_on_unsubscribe(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera that never answers Unsubscribe does not hold up the unload past the stop timeout."""
    onvif = emulator.onvif
    assert onvif is not None
    await _wait_for(lambda: len(onvif.subscriptions) == 1)
    _, answer = _slow_unsubscribe(onvif, monkeypatch, 30.0)
    monkeypatch.setattr(
        "custom_components.cgi_camera.api.onvif_events.STOP_TIMEOUT", 0.2
    )
    caplog.set_level(
        logging.DEBUG, logger="custom_components.cgi_camera.api.onvif_events"
    )

    async with asyncio.timeout(3):
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)
        await hass.async_block_till_done()

    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert onvif.log.count("Unsubscribe") == 1
    assert "ONVIF Unsubscribe failed: TimeoutError" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    answer.set()  # the camera finally answers (nobody waits any more)
    await _wait_for(lambda: onvif.subscriptions == {})


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_cancelled_stop_still_unsubscribes(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stopping motion cancelled while Unsubscribe is on the way (Home Assistant shutting down) still lets it
    finish and closes the ONVIF sessions (the test fails on an unclosed session)."""
    onvif = emulator.onvif
    assert onvif is not None
    await _wait_for(lambda: len(onvif.subscriptions) == 1)
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    unsubscribing, _ = _slow_unsubscribe(onvif, monkeypatch, 0.3)
    # Home Assistant runs the stop as a task of its own, which it cancels when it shuts down.
    stop = asyncio.create_task(motion.async_stop())
    async with asyncio.timeout(5):
        await unsubscribing.wait()
    stop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stop

    await _wait_for(lambda: not motion._ending)  # unsubscribed and closed, then ended
    assert onvif.subscriptions == {}
    assert onvif.log.count("Unsubscribe") == 1


async def test_cleanup_survives_repeated_cancellation() -> None:
    """The ONVIF cleanup finishes even when its caller is cancelled twice (the stop, then the entry's task
    cancellation), and the caller still ends cancelled; a cleanup that is itself cancelled ends it at once."""
    release = asyncio.Event()
    finished: list[bool] = []

    async def cleanup() -> None:
        await release.wait()
        finished.append(True)

    caller = asyncio.create_task(_shielded(cleanup()))
    await asyncio.sleep(0)
    caller.cancel()
    await asyncio.sleep(0)
    caller.cancel()
    await asyncio.sleep(0)
    assert not caller.done()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert finished == [True]

    async def cancelled_cleanup() -> None:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await _shielded(cancelled_cleanup())
