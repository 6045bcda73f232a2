"""Names a camera owner reads (issue 22.1): default names, entity ids, the device's model and its channels."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    Platform,
)
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
import pytest_socket

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera import scan
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.cgi_camera.api.wsdiscovery import Responder


@pytest.fixture(autouse=True)
def setup_and_no_scan(socket_enabled: None) -> Generator[None]:
    """Only the camera platform; the flow's network scan finds nothing; 127.0.0.0/8 reachable."""
    pytest_socket.socket_allow_hosts(["127.0.0.0/8", "::1"], allow_unix_socket=True)

    async def _probe(timeout: float) -> list[Responder]:
        return []

    with (
        patch("custom_components.cgi_camera.PLATFORMS", [Platform.CAMERA]),
        patch.object(scan, "probe", _probe),
    ):
        yield


@pytest.fixture
async def second_camera(emulator: CameraEmulator) -> AsyncGenerator[CameraEmulator]:
    """Another camera of the same model on 127.0.0.2."""
    emu = CameraEmulator(
        EmulatorConfig(username=USERNAME, password=PASSWORD, mac="00:2a:2a:65:43:21")
    )
    await emu.start(host="127.0.0.2", port=0)
    yield emu
    await emu.stop()


async def _add(hass: HomeAssistant, emu: CameraEmulator) -> tuple[str, MockConfigEntry]:
    """Add a camera through the flow keeping the default name; return the confirm title and the entry."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: emu.host,
            CONF_PORT: emu.port,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
        },
    )
    assert result["step_id"] == "confirm"
    title = result["description_placeholders"]["host"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return title, result["result"]


async def test_two_cameras_of_one_model_get_short_distinct_entity_ids(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    second_camera: CameraEmulator,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Default names read like a camera, without board ID or address; the entity ids are short and distinct."""
    assert emulator.config.device_id == second_camera.config.device_id
    entries = [(await _add(hass, emu))[1] for emu in (emulator, second_camera)]
    assert [entry.title for entry in entries] == ["Camera", "Camera 2"]
    cameras = sorted(
        reg.entity_id
        for entry in entries
        for reg in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if reg.domain == Platform.CAMERA and reg.disabled_by is None
    )
    assert cameras == ["camera.camera_2_main_stream", "camera.camera_main_stream"]
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(entries[0].unique_id)), entries[0].entry_id
    )
    assert device is not None
    assert device.name == "Camera"
    # The board ID is the model ID; the model is plain words.
    assert device.model_id == emulator.config.device_id
    assert device.model == "HD-IPC PTZ"
    for entry in entries:
        await hass.config_entries.async_unload(entry.entry_id)


async def test_confirm_step_titled_by_the_address(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """The confirm step names what the user typed (the address), not the board ID."""
    host, entry = await _add(hass, emulator)
    assert host == emulator.host
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username=USERNAME, password=PASSWORD, mac=MAC, channels=2, ptz=False
        )
    ],
)
async def test_channel_devices_named_through_translations(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    emulator: CameraEmulator,
) -> None:
    """A video server's channel devices get a translated name ("<camera> channel <n>" in English)."""
    main = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(loaded_entry.unique_id)), loaded_entry.entry_id
    )
    assert main is not None
    assert main.model == "HD-IPC NVR"
    assert main.model_id == emulator.config.device_id
    sub = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{loaded_entry.unique_id}_ch2"), loaded_entry.entry_id
    )
    assert sub is not None
    assert sub.name == f"{loaded_entry.title} channel 2"


async def test_camera_without_ptz_model(
    hass: HomeAssistant,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """A single-channel camera without PTZ is an "HD-IPC": a model name every language reads the same (Home Assistant cannot translate it)."""
    async with CameraEmulator(
        EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, ptz=False)
    ) as emu:
        _, entry = await _add(hass, emu)
        device = dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, str(entry.unique_id)), entry.entry_id
        )
        assert device is not None
        assert device.model == "HD-IPC"
        await hass.config_entries.async_unload(entry.entry_id)
