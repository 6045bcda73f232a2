"""Presets that do nothing (Floureon DM523HS, field notes §1.1): the first recall finds out which call moves the camera."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.cgi_camera import ptz as ptz_module
from custom_components.cgi_camera.const import DOMAIN
from custom_components.cgi_camera.ptz import pictures_differ
from tests.conftest import MAC
from tests.emulator.images import _render

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator

PRESET_PAN = 9000.0
AWAY_PAN = 27000.0


@pytest.fixture(autouse=True)
def short_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look at the picture after a fifth of a second instead of seconds (longer than the emulator's frame cache)."""
    monkeypatch.setattr(ptz_module, "PRESET_CHECK_DELAYS", (0.2, 0.2))


def _save_preset_away(emulator: CameraEmulator) -> None:
    """Preset 2 at pan 90°, the camera at 270°."""
    head = emulator.state.channel(1).ptz
    head.pan = PRESET_PAN
    head.save_preset(2, "Gate")
    head.pan = AWAY_PAN


async def _recall(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.coordinator.async_refresh_group(
        ptz_module.preset_names_key(1)
    )
    select = er.async_get(hass).async_get_entity_id(
        SELECT_DOMAIN, DOMAIN, f"{MAC}_1_ptz_preset"
    )
    assert select is not None
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "2: Gate"},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def _recall_twice(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    emulator: CameraEmulator,
    mechanism: str,
) -> None:
    """Recall the preset saved away from the head twice; the first learns `mechanism`, both reach the preset.

    Only the second recall's requests are left in the emulator's log.
    """
    _save_preset_away(emulator)
    head = emulator.state.channel(1).ptz
    await _recall(hass, entry)
    assert head.pan == PRESET_PAN
    assert entry.runtime_data.ptz[1].preset_mechanism == mechanism
    head.pan = AWAY_PAN
    emulator.clear_requests()
    await _recall(hass, entry)
    assert head.pan == PRESET_PAN


@pytest.mark.parametrize("emulator_profile", ["preset-form"])
async def test_noop_preset_revision_moves_through_the_web_pages_call(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The documented recall answers 200 and does nothing: the first recall notices and uses /form/presetSet."""
    await _recall_twice(hass, loaded_entry, emulator, "form")
    # The second recall went straight to the working call: no picture, no documented call.
    assert [r.path for r in emulator.requests if r.path.startswith("/form/")] == [
        "/form/presetSet"
    ]
    assert not [r for r in emulator.requests if r.path.startswith("/jpgimage/")]
    assert not [r for r in emulator.requests if "Preset" in r.params]


@pytest.mark.parametrize("emulator_profile", ["spec", "http10"])
async def test_documented_preset_call_kept_where_it_works(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Where the documented call moves the camera, it stays the only call: /form/ is never asked."""
    await _recall_twice(hass, loaded_entry, emulator, "cgi")
    assert not [r for r in emulator.requests if r.path.startswith("/form/")]
    assert not [r for r in emulator.requests if r.path.startswith("/jpgimage/")]


async def test_no_form_page_keeps_the_documented_call(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The picture did not change (already at the preset) and /form/ is missing: the documented call stays."""
    head = emulator.state.channel(1).ptz
    head.pan = PRESET_PAN
    head.save_preset(2, "Gate")
    await _recall(hass, loaded_entry)
    assert loaded_entry.runtime_data.ptz[1].preset_mechanism == "cgi"
    assert [r.path for r in emulator.requests if r.path.startswith("/form/")] == [
        "/form/presetSet"
    ]


async def test_a_move_during_the_check_leaves_it_undecided(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Another PTZ command while the first recall is being checked: no conclusion, the next recall checks again."""
    _save_preset_away(emulator)
    controller = loaded_entry.runtime_data.ptz[1]
    await loaded_entry.runtime_data.coordinator.async_refresh_group(
        ptz_module.preset_names_key(1)
    )
    await controller.goto_preset(2)
    await controller.stop()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert controller.preset_mechanism is None


def test_pictures_differ_ignores_a_changed_time_stamp() -> None:
    """A few changed digits are no move; a shifted scene is."""
    scene = {"pan": 18000.0, "tilt": 9000.0, "zoom": 0.0}
    before = _render("12:00:00", scene)
    assert not pictures_differ(before, _render("12:00:01", scene))
    assert pictures_differ(before, _render("12:00:01", scene | {"pan": 9000.0}))
    assert not pictures_differ(before, b"not a picture")


async def test_camera_gone_during_the_check_leaves_it_undecided(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """No picture after the recall (the camera went away): no conclusion, the next recall checks again."""
    _save_preset_away(emulator)
    controller = loaded_entry.runtime_data.ptz[1]
    await loaded_entry.runtime_data.coordinator.async_refresh_group(
        ptz_module.preset_names_key(1)
    )
    await controller.goto_preset(2)
    emulator.faults.offline = True
    await hass.async_block_till_done(wait_background_tasks=True)
    emulator.faults.offline = False
    assert controller.preset_mechanism is None


@pytest.mark.parametrize("emulator_profile", ["preset-form"])
async def test_web_page_call_that_does_not_move_keeps_the_documented_one(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The web page's call answers `$STATE$=0` (it does not know the preset): the documented call stays."""
    emulator.state.channel(1).ptz.presets[2] = "Gate"  # listed, but no position stored
    await _recall(hass, loaded_entry)
    assert loaded_entry.runtime_data.ptz[1].preset_mechanism == "cgi"


@pytest.mark.parametrize("emulator_profile", ["preset-form"])
async def test_saves_also_go_through_the_web_page_once_it_is_the_recall(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """On a camera whose recall is the web page's, a save is sent both ways (the documented one keeps the title)."""
    _save_preset_away(emulator)
    await _recall(hass, loaded_entry)
    assert loaded_entry.runtime_data.ptz[1].preset_mechanism == "form"
    head = emulator.state.channel(1).ptz
    head.pan = 4500.0
    emulator.clear_requests()
    await loaded_entry.runtime_data.ptz[1].save_preset(3, "Door")
    forms = [r.params for r in emulator.requests if r.path == "/form/presetSet"]
    assert [(p["flag"], p["presetNum"]) for p in forms] == [("3", "2")]
    assert head.presets[3] == "Door"
    head.pan = AWAY_PAN
    await loaded_entry.runtime_data.ptz[1].goto_preset(3)
    assert head.pan == 4500.0
