"""Tests for the diagnostics of the CGI IP Camera integration."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from syrupy.filters import props

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api.wire import GroupKey
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import MAC, PASSWORD, entry_for
from tests.emulator import EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

    from tests.emulator import CameraEmulator


@pytest.fixture(autouse=True)
def camera_only() -> Generator[None]:
    """Keep setup to the camera platform so the polled groups are stable for the snapshot."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.CAMERA]):
        yield


def _forbidden(emulator: CameraEmulator, entry: MockConfigEntry) -> list[str]:
    """Return strings that must not appear anywhere in diagnostics."""
    mac_digits = MAC.replace(":", "")
    return [
        PASSWORD,
        MAC,
        MAC.upper(),
        mac_digits,
        mac_digits.upper(),
        emulator.config.serial,
        "127.0.0.1",
        f":{emulator.port}/",
    ]


async def test_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """Diagnostics hold capabilities, polled groups and statistics, and no secrets."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, loaded_entry
    )
    text = json.dumps(diagnostics)
    for secret in _forbidden(emulator, loaded_entry):
        assert secret.lower() not in text.lower(), secret
    assert re.search(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", text) is None
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["entry"]["title"] == loaded_entry.title
    assert diagnostics["channels"] == [1]
    assert isinstance(diagnostics["rtsp_port"], int)
    assert diagnostics["onvif_port"] == emulator.state.netport["OnvifPort"]
    caps = diagnostics["capabilities"]
    assert "major_stream" in caps
    assert "image" in caps
    assert "StreamInfo" in json.dumps(caps["major_stream"])
    coordinator = diagnostics["coordinator"]
    assert {
        "refreshes",
        "failures",
        "requests",
        "last_duration",
        "last_requests",
    } <= set(coordinator["stats"])
    assert isinstance(coordinator["groups"], dict)
    assert coordinator["auth_failures"] == 0


SENSITIVE_GROUPS = (
    GroupKey("sys", "DeviceInfo"),
    GroupKey("sys", "TimeInfo"),
    GroupKey("net", "AddressInfo"),
    GroupKey("net", "SMTPInfo"),
    GroupKey("net", "FTPInfo"),
    GroupKey("net", "DDNSInfo"),
    GroupKey("wifi", "WifiInfo"),
    GroupKey("wifi", "HotspotList"),
    GroupKey("user", "UserList"),
)


async def _poll_sensitive_groups(entry: MockConfigEntry) -> None:
    """Poll groups that carry secrets and addresses, as other platforms' entities would."""
    coordinator = entry.runtime_data.coordinator
    for key in (*SENSITIVE_GROUPS, GroupKey("image", "ImageInfo", 1)):
        coordinator.async_register_group(key)
    await coordinator.async_refresh()


async def test_entry_diagnostics_groups_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Polled groups appear as "area/group/channel" and sensitive values are redacted."""
    # Secrets in values no key marks as sensitive: the user name alone, the MAC and host inside a text.
    osd = emulator.state.channel(1).osd
    osd["TextOSDTitle"] = emulator.config.username
    osd["Comment"] = f"camera {MAC} at 127.0.0.1"
    loaded_entry.runtime_data.coordinator.async_register_group(
        GroupKey("image", "OSDInfo", 1)
    )
    await _poll_sensitive_groups(loaded_entry)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, loaded_entry
    )
    # Capabilities are checked above; they follow the emulator's query tables too closely for a snapshot.
    assert {
        k: v
        for k, v in diagnostics.items()
        if k not in {"capabilities", "capability_sources"}
    } == snapshot(
        exclude=props("last_duration", "port", "rtsp_port", "CameraTime", "Signal")
    )
    # A camera that answers every query: every known group's capabilities come from it.
    assert diagnostics["capability_sources"]["image"]["ImageInfo"] == {
        "source": "query",
        "reason": None,
    }
    groups = diagnostics["coordinator"]["groups"]
    assert "sys/DeviceInfo/-" in groups
    assert "net/AddressInfo/-" in groups
    assert "image/ImageInfo/1" in groups
    assert groups["image/OSDInfo/1"][0]["TextOSDTitle"] == "**REDACTED**"
    assert groups["image/OSDInfo/1"][0]["Comment"] == (
        "camera **REDACTED** at **REDACTED**"
    )
    device_info = groups["sys/DeviceInfo/-"][0]
    assert device_info["Mac"] == "**REDACTED**"
    assert device_info["SerialNum"] == "**REDACTED**"
    assert device_info["DeviceID"] == emulator.config.device_id
    address = groups["net/AddressInfo/-"][0]
    assert address["IPAddress"] == "**REDACTED**"
    smtp = groups["net/SMTPInfo/-"][0]
    for param in ("SMTPPassword", "SMTPUsername", "FromMail", "ToMail"):
        if param in smtp:
            assert smtp[param] in ("**REDACTED**", ""), param
    text = json.dumps(diagnostics)
    for secret in _forbidden(emulator, loaded_entry):
        assert secret.lower() not in text.lower(), secret
    assert re.search(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", text) is None


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """Device diagnostics are the entry's plus which device was asked about."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, loaded_entry.unique_id or ""), loaded_entry.entry_id
    )
    assert device is not None
    diagnostics = await get_diagnostics_for_device(
        hass, hass_client, loaded_entry, device
    )
    assert diagnostics["device_entry"]["channel"] is None
    assert "capabilities" in diagnostics
    text = json.dumps(diagnostics)
    for secret in _forbidden(emulator, loaded_entry):
        assert secret.lower() not in text.lower(), secret


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username="admin", password="pw", mac="00:2a:2a:00:00:1d", channels=2
        )
    ],
)
async def test_channel_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
) -> None:
    """A channel's device diagnostics name the channel."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{loaded_entry.unique_id}_ch2"), loaded_entry.entry_id
    )
    assert device is not None
    diagnostics = await get_diagnostics_for_device(
        hass, hass_client, loaded_entry, device
    )
    assert diagnostics["device_entry"]["channel"] == 2
    assert diagnostics["channels"] == [1, 2]


async def test_diagnostics_of_an_entry_that_is_not_loaded(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: CameraEmulator,
) -> None:
    """A camera that is not set up (offline, reloading) still gives diagnostics: the entry and its state."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    await emulator.stop()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["state"] == "setup_retry"
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    text = json.dumps(diagnostics)
    for secret in _forbidden(emulator, entry):
        assert secret.lower() not in text.lower(), secret
