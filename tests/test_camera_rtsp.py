"""Live view over RTSP: the path and port checked at setup, told to the user in words, codec-aware (issue 24)."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from homeassistant.components.camera import (
    DOMAIN as CAMERA_DOMAIN,
    CameraEntityFeature,
    async_get_stream_source,
)
from homeassistant.components.select import (
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION, ATTR_SUPPORTED_FEATURES
from homeassistant.core import CoreState
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import RtspOutcome
from custom_components.cgi_camera.const import CONF_RTSP_PORT, DOMAIN
from custom_components.cgi_camera.diagnostics import async_get_config_entry_diagnostics
from tests.conftest import MAC, PASSWORD, USERNAME, entry_for
from tests.emulator import EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        CAMERA_DOMAIN, DOMAIN, f"{entry.unique_id}_1_{key}"
    )
    assert entity_id is not None
    return entity_id


def _issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    """Return the live view's repair issues (the camera's other checks are tested elsewhere)."""
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue_id.startswith(("rtsp_", "h265_"))
    }


def _rtsp_requests(emulator: CameraEmulator) -> list[tuple[str, str]]:
    assert emulator.rtsp is not None
    return list(emulator.rtsp.stats.requests)


def _free_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _streams(hass: HomeAssistant, entity_id: str) -> bool:
    state = hass.states.get(entity_id)
    assert state is not None
    return bool(state.attributes[ATTR_SUPPORTED_FEATURES] & CameraEntityFeature.STREAM)


async def _restart(hass: HomeAssistant, entry_id: str) -> None:
    hass.set_state(CoreState.stopping)
    await hass.config_entries.async_unload(entry_id)
    hass.set_state(CoreState.running)
    await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()


async def test_path_checked_at_setup_and_kept(
    hass: HomeAssistant, emulator: CameraEmulator, loaded_entry: MockConfigEntry
) -> None:
    """Setup describes the family's path once; a restart reuses the stored answer; diagnostics show it."""
    assert emulator.rtsp is not None
    check = loaded_entry.runtime_data.rtsp
    assert check is not None
    assert check.outcome is RtspOutcome.OK
    assert (check.port, check.layout) == (emulator.rtsp.port, "h264major")
    assert check.codecs == {"main": "H264", "sub": "H264"}
    assert _issues(hass) == {}
    main = _entity_id(hass, loaded_entry, "main_stream")
    assert _streams(hass, main)
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    assert diagnostics["rtsp"] == {
        "port": emulator.rtsp.port,
        "outcome": "ok",
        "layout": "h264major",
        "codecs": {"main": "H264", "sub": "H264"},
    }

    seen = len(_rtsp_requests(emulator))
    await _restart(hass, loaded_entry.entry_id)
    assert len(_rtsp_requests(emulator)) == seen
    assert loaded_entry.runtime_data.rtsp == check


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username=USERNAME, password=PASSWORD, mac=MAC, rtsp_layout="streaming"
        )
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_camera_with_another_path_layout(
    hass: HomeAssistant, emulator: CameraEmulator, loaded_entry: MockConfigEntry
) -> None:
    """A camera answering /Streaming/Channels/101 gets that path in its stream URL, not a 404 path."""
    assert emulator.rtsp is not None
    port = emulator.rtsp.port
    main = await async_get_stream_source(
        hass, _entity_id(hass, loaded_entry, "main_stream")
    )
    sub = await async_get_stream_source(
        hass, _entity_id(hass, loaded_entry, "sub_stream")
    )
    prefix = f"rtsp://{USERNAME}:s3cr3t%26pw@127.0.0.1:{port}/"
    assert main == prefix + "Streaming/Channels/101"
    assert sub == prefix + "Streaming/Channels/102"
    assert _issues(hass) == {}


async def test_refusing_port_is_a_repair_not_an_unavailable_camera(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """The camera reports an RTSP port nothing listens on: the camera stays available with its MJPEG live
    view, a repair names the port and the option; setting the right port in the options clears it."""
    assert emulator.rtsp is not None
    wrong = _free_port()
    emulator.state.netport.data["RtspPort"] = wrong
    entry = await setup_integration(entry_for(emulator))
    main = _entity_id(hass, entry, "main_stream")
    state = hass.states.get(main)
    assert state is not None
    assert state.state == "idle"
    assert not _streams(hass, main)  # the frontend shows the MJPEG live view
    issues = _issues(hass)
    assert list(issues) == [f"rtsp_refused_{entry.entry_id}"]
    issue = issues[f"rtsp_refused_{entry.entry_id}"]
    assert issue.translation_key == "rtsp_refused"
    assert issue.translation_placeholders == {"title": entry.title, "port": str(wrong)}
    assert issue.severity is ir.IssueSeverity.WARNING

    hass.config_entries.async_update_entry(
        entry, options={CONF_RTSP_PORT: emulator.rtsp.port}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _issues(hass) == {}
    assert _streams(hass, main)
    check = entry.runtime_data.rtsp
    assert check is not None
    assert (check.port, check.outcome) == (emulator.rtsp.port, RtspOutcome.OK)
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("emulator_config", "kind"),
    [
        (
            EmulatorConfig(
                username=USERNAME, password=PASSWORD, mac=MAC, rtsp_layout="unlisted"
            ),
            "rtsp_not_found",
        ),
        (
            EmulatorConfig(
                username=USERNAME, password=PASSWORD, mac=MAC, rtsp_password="other"
            ),
            "rtsp_unauthorized",
        ),
    ],
)
async def test_unknown_path_or_refused_login_is_a_repair(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
    kind: str,
) -> None:
    """RTSP answers but no known path plays, or refuses the camera's login: told in words, MJPEG live view."""
    main = _entity_id(hass, loaded_entry, "main_stream")
    assert not _streams(hass, main)
    assert list(_issues(hass)) == [f"{kind}_{loaded_entry.entry_id}"]
    # Checked once at setup (the path layouts, or the one refused login), not again by the camera platform.
    described = [m for m, _ in _rtsp_requests(emulator) if m == "DESCRIBE"]
    assert len(described) == (5 if kind == "rtsp_not_found" else 2)  # one challenge
    # A restart checks again (the camera may have been fixed since): the repair stays while it is not.
    await _restart(hass, loaded_entry.entry_id)
    assert len([m for m, _ in _rtsp_requests(emulator) if m == "DESCRIBE"]) == 2 * len(
        described
    )
    assert list(_issues(hass)) == [f"{kind}_{loaded_entry.entry_id}"]
    # Unloading the entry (or removing it) takes its repairs along; the next setup raises them again if due.
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert _issues(hass) == {}


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_other_service_on_the_port_is_a_repair(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A port where something else than RTSP answers, or nothing in time (here: the camera's HTTP port), is told
    as a port that does not answer."""
    monkeypatch.setattr("custom_components.cgi_camera.api.rtsp.CHECK_SECONDS", 0.5)
    emulator.state.netport.data["RtspPort"] = emulator.port
    entry = await setup_integration(entry_for(emulator))
    assert list(_issues(hass)) == [f"rtsp_refused_{entry.entry_id}"]
    assert entry.runtime_data.rtsp is not None
    assert entry.runtime_data.rtsp.outcome is RtspOutcome.NO_ANSWER
    await hass.config_entries.async_unload(entry.entry_id)


async def test_h265_main_stream(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """Main stream H.265: the sub stream is the one enabled by default, and a repair says why and what to do;
    switching the main stream's encoder to H.264 from Home Assistant clears it."""
    emulator.state.channel(1).major.data["Payload"] = 1
    entry = await setup_integration(entry_for(emulator))
    registry = er.async_get(hass)
    main = registry.async_get(_entity_id(hass, entry, "main_stream"))
    sub = registry.async_get(_entity_id(hass, entry, "sub_stream"))
    assert main is not None
    assert sub is not None
    assert main.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert sub.disabled_by is None
    issue_id = f"h265_main_stream_{entry.entry_id}"
    issues = _issues(hass)
    assert list(issues) == [issue_id]
    assert issues[issue_id].translation_key == "h265_main_stream"
    assert issues[issue_id].translation_placeholders == {"title": entry.title}

    codec = er.async_get(hass).async_get_entity_id(
        SELECT_DOMAIN, DOMAIN, f"{entry.unique_id}_1_main_codec"
    )
    assert codec is not None
    # The codec select is off by default (docs/entities.md): the owner switches it on first.
    codec_entry = registry.async_get(codec)
    assert codec_entry is not None
    if codec_entry.disabled_by is not None:
        registry.async_update_entity(codec, disabled_by=None)
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: codec, ATTR_OPTION: "h264"},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert emulator.state.channel(1).major.data["Payload"] == 0
    assert _issues(hass) == {}
    await hass.config_entries.async_unload(entry.entry_id)
