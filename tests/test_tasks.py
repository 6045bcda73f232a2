"""Every task the integration starts belongs to its config entry, so an unload ends or awaits it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.helpers import entity_registry as er

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator

    type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]


def _task_names(calls: list[Any]) -> list[str]:
    """Return the name argument of each recorded task creation (third positional, or `name`)."""
    names = []
    for call in calls:
        args, kwargs = call.args, call.kwargs
        names.append(kwargs.get("name", args[2] if len(args) > 2 else ""))
    return names


async def test_mjpeg_upstream_is_an_entry_task(
    hass: HomeAssistant, config_entry: MockConfigEntry, setup_integration: Setup
) -> None:
    """The shared MJPEG upstream runs as the entry's background task."""
    with patch.object(
        config_entry,
        "async_create_background_task",
        wraps=config_entry.async_create_background_task,
    ) as spy:
        await setup_integration(config_entry)
        hub = config_entry.runtime_data.mjpeg_hubs[1]
        async with hub.viewer() as viewer:
            assert await viewer.next_frame()
        names = _task_names(spy.call_args_list)
    assert any("mjpeg" in name for name in names), names
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_ptz_stop_is_an_entry_task(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """The Stop after a PTZ step runs as the entry's task, which an unload waits for."""
    await setup_integration(config_entry)
    button = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{config_entry.unique_id}_1_ptz_up"
    )
    assert button is not None
    with patch.object(
        config_entry, "async_create_task", wraps=config_entry.async_create_task
    ) as spy:
        await hass.services.async_call(
            "button", "press", {ATTR_ENTITY_ID: button}, blocking=True
        )
        await hass.async_block_till_done()
    assert any("stop" in name.lower() for name in _task_names(spy.call_args_list))
    assert emulator.state.channel(1).ptz.moving == 0
    await hass.config_entries.async_unload(config_entry.entry_id)
