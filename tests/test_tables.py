"""The tables that must agree: the groups the client discovers, the ones polled fast, the entity descriptions, and
the client's enums on the Home Assistant side."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera import (
    binary_sensor,
    button,
    number,
    ptz_entities,
    select,
    sensor,
    switch,
)
from custom_components.cgi_camera.api import CgiCamera, SdOperation, SdStatus
from custom_components.cgi_camera.api.discovery import KNOWN_GROUPS
from custom_components.cgi_camera.api.wire import GROUPS
from custom_components.cgi_camera.coordinator import FAST_GROUPS

if TYPE_CHECKING:
    from tests.emulator import CameraEmulator

DESCRIPTION_TABLES = (
    number.NUMBERS,
    select.SELECTS,
    switch.SWITCHES,
    sensor.SENSORS,
    binary_sensor.BINARY_SENSORS,
    (ptz_entities.PRESET_SELECT,),
)
# Groups of the wire table that no entity description reads, and who reads or needs them instead.
READ_ELSEWHERE = {
    ("sys", "DeviceInfo"): "the coordinator's heartbeat and the device page",
    ("netport", "NetPortInfo"): "setup (RTSP and ONVIF ports)",
    ("camera", "ResetInfo"): "the reset image button (its capability check)",
    ("ptz", "PTZCtrlInfo"): "the PTZ controller and the preset select (movement)",
    (
        "mjpeg",
        "StreamInfo",
    ): "diagnostics only (the MJPEG stream's settings have no entity yet)",
}


def _described() -> set[tuple[str, str]]:
    return {(d.area, d.group) for table in DESCRIPTION_TABLES for d in table}


def test_one_group_table() -> None:
    """Discovery, the fast poll and the entity descriptions all come from api/wire.py's GROUPS."""
    table = {(spec.area, spec.group) for spec in GROUPS}
    assert len(table) == len(GROUPS)
    assert {(area, g) for area, groups in KNOWN_GROUPS.items() for g in groups} == table
    assert {(spec.area, spec.group) for spec in GROUPS if spec.fast} == FAST_GROUPS
    described = _described()
    # Every group an entity reads is discovered (else its entity would never be created)...
    assert sorted(described - table) == []
    # ...and every discovered group is read by an entity, or by what READ_ELSEWHERE names.
    assert sorted(table - described - set(READ_ELSEWHERE)) == []
    assert sorted(set(READ_ELSEWHERE) - (table - described)) == []
    # A fast group is one an entity shows: polling it every tick otherwise costs requests for nothing.
    assert sorted(FAST_GROUPS - described - {("ptz", "PTZCtrlInfo")}) == []


def test_sd_card_uses_the_client_enums() -> None:
    """The SD card buttons and sensors speak SdStatus and SdOperation, not the raw numbers."""
    assert {
        SdStatus.FORMATTING,
        SdStatus.MOUNTING,
        SdStatus.UNMOUNTING,
    } == button.SD_BUSY
    assert all(isinstance(status, SdStatus) for status in button.SD_BUSY)
    assert all(isinstance(status, SdStatus) for status in sensor.NO_CARD)
    assert tuple(status.name.lower() for status in SdStatus) == sensor.SD_STATES
    assert button.SD_OPERATIONS == {
        "sd_unmount": SdOperation.UNMOUNT,
        "sd_mount": SdOperation.MOUNT,
        "sd_format": SdOperation.FORMAT,
    }


async def test_presets_parsed_once(
    emulator: CameraEmulator, socket_enabled: None
) -> None:
    """The client's preset list is the preset select's: by number, titles without the camera's padding."""
    presets = emulator.state.channel(1).ptz.presets
    presets.clear()
    presets.update({5: " Gate  ", 3: "Door"})
    async with aiohttp.ClientSession() as session:
        client = CgiCamera(
            session,
            "127.0.0.1",
            emulator.port,
            emulator.config.username,
            emulator.config.password,
        )
        names = await client.preset_names(1)
        blocks = await client.get_blocks("ptz", "PresetNameInfo", 1)
    assert list(names.items()) == [(3, "Door"), (5, "Gate")]
    assert not hasattr(ptz_entities, "parse_presets")
    assert ptz_entities.preset_titles(blocks) == names
