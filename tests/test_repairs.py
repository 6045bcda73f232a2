"""Repair issues and their fix flows against the emulator: factory password, ONVIF off, wrong clock."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, STATE_ON
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.cgi_camera import repairs
from custom_components.cgi_camera.api import CgiCamera, ParamGroup, TimeInfo
from custom_components.cgi_camera.checks import (
    CLOCK_TOLERANCE,
    PROTOCOL_KEY,
    TIME_KEY,
    clock_state,
    issue_id,
    local_offset,
)
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import MAC, USERNAME, entry_for
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]

NEW = "N3w-pa55&word"


@pytest.fixture
def emulator_config(request: pytest.FixtureRequest) -> EmulatorConfig:
    """A fresh camera per test (a password change edits its config): factory password, or the test's knobs."""
    knobs: dict[str, Any] = getattr(request, "param", {})
    return EmulatorConfig(
        **{"username": USERNAME, "password": "admin", "mac": MAC, **knobs}
    )


async def _start_fix(hass: HomeAssistant, issue: str) -> dict[str, Any]:
    assert await async_setup_component(hass, "repairs", {})
    manager = hass.data["repairs"]["flow_manager"]
    return dict(await manager.async_init(DOMAIN, context={"issue_id": issue}))


async def _configure(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any] | None = None
) -> dict[str, Any]:
    manager = hass.data["repairs"]["flow_manager"]
    return dict(await manager.async_configure(flow_id, user_input))


def _issue(
    hass: HomeAssistant, kind: str, entry: MockConfigEntry
) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id(kind, entry.entry_id))


async def _open_password_fix(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, Any]:
    """Start the factory-password repair of `entry` (its issue must be raised)."""
    issue = _issue(hass, "default_password", entry)
    assert issue is not None
    return await _start_fix(hass, issue.issue_id)


async def _submit_new_password(hass: HomeAssistant, flow_id: str) -> dict[str, Any]:
    """Enter NEW twice in the repair's form."""
    return await _configure(
        hass, flow_id, {"new_password": NEW, "confirm_password": NEW}
    )


async def _logs_in(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    """Reload the entry: it sets up (logs in) with what it stores."""
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    return entry.state is ConfigEntryState.LOADED


def _password(emulator: CameraEmulator) -> str:
    return emulator.state.users[USERNAME].password


# Factory password --------------------------------------------------------------------------------------------------
async def test_password_change_checked_then_stored(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Bad input sends nothing; a good password is changed, logged in with, stored, and the issue goes."""
    issue = _issue(hass, "default_password", loaded_entry)
    assert issue is not None
    assert issue.is_fixable
    result = await _start_fix(hass, issue.issue_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {}
    emulator.clear_requests()
    for new, confirm, error in (
        (NEW, NEW + "x", "password_mismatch"),
        ("123456", "123456", "password_factory"),
        ("short", "short", "password_invalid"),
        ("with space", "with space", "password_invalid"),
        ("x" * 33, "x" * 33, "password_invalid"),
    ):
        result = await _configure(
            hass, result["flow_id"], {"new_password": new, "confirm_password": confirm}
        )
        assert result["errors"] == {"base": error}
    assert not [r for r in emulator.requests if r.area == "user"]

    result = await _submit_new_password(hass, result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert _password(emulator) == NEW
    assert loaded_entry.data[CONF_PASSWORD] == NEW
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert _issue(hass, "default_password", loaded_entry) is None


async def test_password_change_refused_keeps_the_old_one(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The camera refuses the change (402): an error, nothing stored, the entry still logs in."""
    emulator.state.refuse_password_change = True
    result = await _open_password_fix(hass, loaded_entry)
    result = await _submit_new_password(hass, result["flow_id"])
    assert result["errors"] == {"base": "change_refused"}
    assert loaded_entry.data[CONF_PASSWORD] == "admin"
    assert _password(emulator) == "admin"
    assert await _logs_in(hass, loaded_entry)


async def test_password_change_reply_lost_after_the_change(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The camera changed the password but the connection broke before its reply: the new one is found and stored."""
    result = await _open_password_fix(hass, loaded_entry)
    emulator.faults.push("reset")
    result = await _submit_new_password(hass, result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert _password(emulator) == NEW
    assert loaded_entry.data[CONF_PASSWORD] == NEW
    assert await _logs_in(hass, loaded_entry)


@pytest.mark.parametrize("changed", ["new", "none", "elsewhere"])
async def test_password_change_camera_gone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    changed: str,
) -> None:
    """The camera goes away during the change: the flow keeps asking until it can tell which password works."""
    result = await _open_password_fix(hass, loaded_entry)
    emulator.faults.offline = True
    result = await _submit_new_password(hass, result["flow_id"])
    assert result["step_id"] == "verify"
    assert result["errors"] == {"base": "cannot_connect"}
    result = await _configure(hass, result["flow_id"], {})
    assert result["step_id"] == "verify"
    assert loaded_entry.data[CONF_PASSWORD] == "admin"
    # "new": the change reached the camera before it went away; "elsewhere": someone set a third password meanwhile.
    if changed != "none":
        emulator.state.users[USERNAME].password = emulator.config.password = (
            NEW if changed == "new" else "third-one"
        )
    emulator.faults.offline = False
    result = await _configure(hass, result["flow_id"], {})
    if changed == "new":
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert loaded_entry.data[CONF_PASSWORD] == NEW
    elif changed == "none":
        assert result["step_id"] == "init"
        assert result["errors"] == {"base": "not_changed"}
        assert loaded_entry.data[CONF_PASSWORD] == "admin"
    else:
        # Neither password works: keep asking, store nothing (the entry asks for the password as usual).
        assert result["step_id"] == "verify"
        assert result["errors"] == {"base": "unknown_state"}
        assert loaded_entry.data[CONF_PASSWORD] == "admin"
        return
    await hass.async_block_till_done()
    assert await _logs_in(hass, loaded_entry)


@pytest.mark.parametrize(
    "emulator_config", [{"password": "camera-own", "auth": "none"}], indirect=True
)
async def test_password_change_wrong_old_password(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """The camera does not take the old password the entry sends (402): nothing changes, the entry still works."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: ""}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await _open_password_fix(hass, entry)
    result = await _submit_new_password(hass, result["flow_id"])
    assert result["errors"] == {"base": "change_refused"}
    assert entry.data[CONF_PASSWORD] == ""
    assert _password(emulator) == "camera-own"
    assert await _logs_in(hass, entry)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_password_change_camera_refuses_the_login(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The password was changed on the camera behind Home Assistant's back (401): nothing is sent or stored."""
    result = await _open_password_fix(hass, loaded_entry)
    emulator.state.users[USERNAME].password = emulator.config.password = "other-one"
    result = await _submit_new_password(hass, result["flow_id"])
    assert result["errors"] == {"base": "wrong_password"}
    assert loaded_entry.data[CONF_PASSWORD] == "admin"
    assert _password(emulator) == "other-one"


async def test_password_fix_needs_a_loaded_entry(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A fix flow of an entry that is not loaded ends at once."""
    emulator.state.users[USERNAME].password = emulator.config.password = "admin"
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: "admin"}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue = _issue(hass, "default_password", entry)
    assert issue is not None
    await hass.config_entries.async_unload(entry.entry_id)
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue.issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="default_password",
        translation_placeholders={"title": entry.title},
        data={"entry_id": entry.entry_id},
    )
    for kind in ("default_password", "onvif_disabled", "clock_wrong"):
        flow = await repairs.async_create_fix_flow(
            hass, issue_id(kind, entry.entry_id), {"entry_id": entry.entry_id}
        )
        flow.hass = hass
        flow.handler = DOMAIN
        flow.context = {"issue_id": issue.issue_id}
        steps = [flow.async_step_init]
        if isinstance(flow, repairs.ClockRepairFlow):
            steps += [flow.async_step_set_time, flow.async_step_ntp]
        if isinstance(flow, repairs.PasswordRepairFlow):
            steps.append(flow.async_step_verify)
        for step in steps:
            result = await step()
            assert result["type"] is FlowResultType.ABORT
            assert result["reason"] == "not_loaded"
    with pytest.raises(ValueError, match="no fix flow"):
        await repairs.async_create_fix_flow(hass, "other", {"entry_id": "x"})


async def test_new_password_appears_nowhere_but_the_entry(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Logs (debug included), diagnostics, forms, results and repair issues never show the new password."""
    caplog.set_level(logging.DEBUG)
    issue = _issue(hass, "default_password", loaded_entry)
    assert issue is not None
    results = [await _start_fix(hass, issue.issue_id)]
    flow_id = results[0]["flow_id"]
    # A refused try, a lost reply, then success: every path that handles the password.
    emulator.state.refuse_password_change = True
    results.append(
        await _configure(hass, flow_id, {"new_password": NEW, "confirm_password": NEW})
    )
    emulator.state.refuse_password_change = False
    emulator.faults.push("reset")
    results.append(
        await _configure(hass, flow_id, {"new_password": NEW, "confirm_password": NEW})
    )
    assert results[-1]["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.data[CONF_PASSWORD] == NEW
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, loaded_entry
    )
    issues = [
        repr(i.to_json()) + repr(i.data) + repr(i.translation_placeholders)
        for i in ir.async_get(hass).issues.values()
    ]
    for text in (
        caplog.text,
        json.dumps(diagnostics),
        repr(results),
        "".join(issues),
        repr(loaded_entry.runtime_data.client),
    ):
        assert NEW not in text
        assert "N3w" not in text


def _fail(emulator: CameraEmulator, fault: str, count: int = 1) -> None:
    """Make the next requests fail: a result code, or a camera that has gone away."""
    if fault == "offline":
        emulator.faults.offline = True
    else:
        emulator.faults.push(fault, count)  # type: ignore[arg-type]


# ONVIF switched off ------------------------------------------------------------------------------------------------
ONVIF: dict[str, Any] = {"password": "s3cr3t&pw", "onvif": True, "alarm_status": True}


async def _wait_for(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not predicate():
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("emulator_config", [ONVIF], indirect=True)
async def test_onvif_off_repair_switches_it_on_and_motion_uses_it(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """ONVIF off: polling and an issue; the fix switches it on, reloads, motion comes from ONVIF events."""
    emulator.state.net_protocol.data["ONVIF"] = 0
    await emulator.apply_net_protocol()
    entry = await setup_integration(entry_for(emulator))
    assert entry.runtime_data.motion.kind == "alarm_status"
    issue = _issue(hass, "onvif_disabled", entry)
    assert issue is not None
    assert issue.translation_placeholders == {"title": entry.title}

    result = await _start_fix(hass, issue.issue_id)
    assert result["step_id"] == "init"
    result = await _configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert emulator.state.net_protocol.data["ONVIF"] == 1
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.motion.kind == "onvif"
    assert _issue(hass, "onvif_disabled", entry) is None

    # The next motion event arrives through ONVIF.
    emulator.state.channel(1).md_info.data["MDEnable"] = 1
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{MAC}_1_motion"
    )
    assert entity_id is not None
    assert emulator.onvif is not None
    await _wait_for(lambda: emulator.onvif.log.count("PullMessages") > 0)
    assert emulator.motion.trigger(1, on=True)
    await _wait_for(
        lambda: getattr(hass.states.get(entity_id), "state", None) == STATE_ON
    )
    assert emulator.onvif.log.count("CreatePullPointSubscription") == 1
    # With live motion on ONVIF events, ONVIF is evidently on: the slow poll no longer reads NetProtocolInfo.
    assert PROTOCOL_KEY not in entry.runtime_data.coordinator.wanted_groups
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("emulator_config", [ONVIF], indirect=True)
@pytest.mark.parametrize(
    ("fault", "error"), [("501", "change_refused"), ("offline", "cannot_connect")]
)
async def test_onvif_fix_failures(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    fault: str,
    error: str,
) -> None:
    """The camera refusing or not answering: an error on the form, ONVIF stays off, the issue stays."""
    emulator.state.net_protocol.data["ONVIF"] = 0
    await emulator.apply_net_protocol()
    entry = await setup_integration(entry_for(emulator))
    issue = _issue(hass, "onvif_disabled", entry)
    assert issue is not None
    result = await _start_fix(hass, issue.issue_id)
    _fail(emulator, fault)
    result = await _configure(hass, result["flow_id"], {})
    assert result["errors"] == {"base": error}
    emulator.faults.clear()
    assert emulator.state.net_protocol.data["ONVIF"] == 0
    assert _issue(hass, "onvif_disabled", entry) is not None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_onvif_on_no_issue(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """ONVIF on (the default): no issue."""
    assert _issue(hass, "onvif_disabled", loaded_entry) is None


# Wrong clock -------------------------------------------------------------------------------------------------------
def _right_zone(emulator: CameraEmulator) -> None:
    emulator.state.time_info.data["TimeZone"] = local_offset()
    emulator.state.time_info.data["DaylightEnable"] = 0


async def test_clock_issue_comes_and_goes_with_the_camera(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """Off by more than the tolerance: an issue naming the minutes; right again (fixed elsewhere): it clears."""
    _right_zone(emulator)
    emulator.state.time_offset = 600
    entry = await setup_integration(entry_for(emulator))
    issue = _issue(hass, "clock_wrong", entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["minutes"] == "10"
    emulator.state.time_offset = 0
    await entry.runtime_data.coordinator.async_refresh_group(TIME_KEY)
    assert _issue(hass, "clock_wrong", entry) is None
    # A wrong zone alone is wrong too.
    emulator.state.time_info.data["TimeZone"] = 345 if local_offset() != 345 else 330
    await entry.runtime_data.coordinator.async_refresh_group(TIME_KEY)
    assert _issue(hass, "clock_wrong", entry) is not None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_clock_within_tolerance_no_issue(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A clock off by less than the tolerance, zone right: no issue."""
    _right_zone(emulator)
    emulator.state.time_offset = CLOCK_TOLERANCE - 30
    entry = await setup_integration(entry_for(emulator))
    assert _issue(hass, "clock_wrong", entry) is None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_clock_fix_sets_time_and_zone_from_home_assistant(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """The first way: CameraTime and TimeZone (DaylightEnable off) from Home Assistant; the issue clears."""
    emulator.state.time_offset = -3600
    emulator.state.time_info.data["DaylightEnable"] = 1
    entry = await setup_integration(entry_for(emulator))
    issue = _issue(hass, "clock_wrong", entry)
    assert issue is not None
    result = await _start_fix(hass, issue.issue_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["set_time", "ntp"]
    result = await _configure(hass, result["flow_id"], {"next_step_id": "set_time"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert abs(emulator.state.camera_time - time.time()) < CLOCK_TOLERANCE
    assert emulator.state.time_info.data["TimeZone"] == local_offset()
    assert emulator.state.time_info.data["DaylightEnable"] == 0
    assert emulator.state.time_info.data["TimeMethod"] == 0
    assert _issue(hass, "clock_wrong", entry) is None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_clock_fix_turns_on_ntp_with_the_users_server(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """The second way: a bad server is refused without a request; a good one switches NTP on; the issue clears."""
    emulator.state.time_offset = 7200
    entry = await setup_integration(entry_for(emulator))
    issue = _issue(hass, "clock_wrong", entry)
    assert issue is not None
    result = await _start_fix(hass, issue.issue_id)
    result = await _configure(hass, result["flow_id"], {"next_step_id": "ntp"})
    assert result["step_id"] == "ntp"
    # The camera's own server is suggested; the texts have their values even once the issue has gone.
    assert result["description_placeholders"]["ha_zone"].startswith("UTC")
    emulator.clear_requests()
    for bad in ("pool.ntp.org", "0.0.0.0", "224.0.0.1", "1.2.3"):
        result = await _configure(hass, result["flow_id"], {"ntp_server": bad})
        assert result["errors"] == {"ntp_server": "invalid_ntp_server"}
    assert not [r for r in emulator.requests if r.op == "set"]
    result = await _configure(hass, result["flow_id"], {"ntp_server": " 192.168.1.2 "})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = emulator.state.time_info.data
    assert (data["TimeMethod"], data["NTPServerIP"]) == (1, "192.168.1.2")
    assert data["TimeZone"] == local_offset()
    assert _issue(hass, "clock_wrong", entry) is None
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("fault", "error"), [("501", "change_refused"), ("offline", "cannot_connect")]
)
async def test_clock_fix_failures(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    fault: str,
    error: str,
) -> None:
    """A refused or unanswered set shows an error, and the issue stays."""
    emulator.state.time_offset = 7200
    entry = await setup_integration(entry_for(emulator))
    issue = _issue(hass, "clock_wrong", entry)
    assert issue is not None
    # Set from Home Assistant: the menu choice sends at once; on failure a form offers to try again.
    result = await _start_fix(hass, issue.issue_id)
    _fail(emulator, fault, 2)
    result = await _configure(hass, result["flow_id"], {"next_step_id": "set_time"})
    assert result["step_id"] == "set_time"
    assert result["errors"] == {"base": error}
    result = await _configure(hass, result["flow_id"], {})
    assert result["errors"] == {"base": error}
    hass.data["repairs"]["flow_manager"].async_abort(result["flow_id"])
    # NTP.
    result = await _start_fix(hass, issue.issue_id)
    result = await _configure(hass, result["flow_id"], {"next_step_id": "ntp"})
    _fail(emulator, fault)
    result = await _configure(hass, result["flow_id"], {"ntp_server": "10.0.0.1"})
    assert result["errors"] == {"base": error}
    emulator.faults.clear()
    hass.data["repairs"]["flow_manager"].async_abort(result["flow_id"])
    assert _issue(hass, "clock_wrong", entry) is not None
    await hass.config_entries.async_unload(entry.entry_id)


def test_clock_state_follows_the_documents_zones() -> None:
    """DaylightEnable adds an hour; an offset the document does not list is not checked."""
    now = 1_800_000_000.0
    info = TimeInfo.from_group(
        ParamGroup(
            "TimeInfo", {"CameraTime": int(now), "TimeZone": 60, "DaylightEnable": 1}
        )
    )
    state = clock_state(info, now)
    assert state is not None
    assert state.camera_zone == 120
    assert not state.time_wrong
    assert clock_state(TimeInfo.from_group(ParamGroup("TimeInfo", {})), now) is None


def test_client_repr_has_no_password() -> None:
    """The client shows no password (the secrets test relies on it)."""
    assert NEW not in repr(CgiCamera(None, "h", password=NEW))  # type: ignore[arg-type]
