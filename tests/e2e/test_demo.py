"""The demo (tests/e2e/demo.py): the dashboard it saves, and that its Home Assistant opens clean."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import socket
from typing import TYPE_CHECKING, Any

import custom_components.cgi_camera  # noqa: F401
from tests.e2e import demo as demo_module
from tests.e2e.demo import (
    CAMERAS,
    DASHBOARD_PATH,
    ENVIRONMENT_REPAIRS,
    ROWS,
    dashboard,
    demo,
    shown,
)
from tests.e2e.hass import REPO, HassServer

if TYPE_CHECKING:
    import pytest

DOME = {
    key: f"{platform}.dome_{key}"
    for platform, keys in {
        "camera": ("main_stream",),
        "binary_sensor": ("motion",),
        "button": ("ptz_up", "ptz_left", "ptz_stop", "ptz_right", "ptz_down"),
        "select": ("ptz_preset", "ir_cut_mode"),
        "number": ("brightness",),
        "sensor": ("sd_status", "sd_used_percent"),
        "switch": ("motion_detection",),
    }.items()
    for key in keys
}
BULLET = {
    key: entity_id.replace("dome", "bullet")
    for key, entity_id in DOME.items()
    if not key.startswith("ptz_")
}


def _cards(config: dict[str, Any], index: int) -> list[dict[str, Any]]:
    (view,) = config["views"]
    cards: list[dict[str, Any]] = view["cards"][index]["cards"]
    return cards


def test_dashboard_per_camera() -> None:
    """Live view, a PTZ pad only for the dome, named rows; no SD rows for a camera without a card."""
    states = {DOME["sd_status"]: "off", BULLET["sd_status"]: "mounted"}
    config = dashboard({"Dome": DOME, "Bullet": BULLET}, states)
    assert config["views"][0]["path"] == "cameras"

    dome, bullet = _cards(config, 0), _cards(config, 1)
    assert dome[0]["content"] == "## Dome"
    assert dome[1] == {
        "type": "picture-entity",
        "entity": DOME["main_stream"],
        "camera_view": "live",
        "show_state": False,
    }
    assert [c["entity"] for c in dome[2]["cards"]] == [
        DOME[k] for k in ("ptz_up", "ptz_left", "ptz_stop", "ptz_right", "ptz_down")
    ]
    # A tap on an arrow presses the button (moves the camera); the card's default would open a dialog.
    assert [c["tap_action"] for c in dome[2]["cards"]] == [
        {
            "action": "perform-action",
            "perform_action": "button.press",
            "target": {"entity_id": c["entity"]},
        }
        for c in dome[2]["cards"]
    ]
    dome_rows = {row["entity"]: row["name"] for row in dome[3]["entities"]}
    assert dome_rows == {
        DOME[k]: name for k, name in ROWS.items() if not k.startswith("sd_")
    }

    assert [card["type"] for card in bullet] == [
        "markdown",
        "picture-entity",
        "entities",
    ]
    bullet_rows = [row["entity"] for row in bullet[2]["entities"]]
    assert bullet_rows == [BULLET[k] for k in ROWS if k in BULLET]
    assert BULLET["sd_status"] in bullet_rows


async def _until_state(
    hass: HassServer, entity_id: str, state: str, timeout: float = 20.0
) -> None:
    """Wait until `entity_id` has `state`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        current = (await hass.request("GET", f"/api/states/{entity_id}"))["state"]
        if current == state:
            return
        assert loop.time() < deadline, f"{entity_id} is {current}, not {state}"
        await asyncio.sleep(0.2)


def _flow_asks_for_a_name() -> bool:
    """Return True once the config flow's confirm step has a name field (issue 13.3)."""
    en = json.loads(
        (REPO / "custom_components/cgi_camera/translations/en.json").read_text()
    )
    return "name" in en["config"]["step"]["confirm"].get("data", {})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _what_the_user_sees(
    hass: HassServer,
) -> tuple[list[Any], list[Any], list[Any]]:
    """Once Home Assistant has started: its notifications, repairs and config entries."""
    for _ in range(60):
        [config] = await hass.ws({"type": "get_config"})
        if config["state"] == "RUNNING":
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(
        1
    )  # what is raised right after the start (the repairs of the start-up checks)
    notifications, repairs = await hass.ws(
        {"type": "persistent_notification/get"}, {"type": "repairs/list_issues"}
    )
    entries = await hass.request("GET", "/api/config/config_entries/entry")
    return notifications, repairs["issues"], entries


async def test_demo_opens_clean(socket_enabled: None, tmp_path: Path) -> None:
    """No notification, repair or failed integration that the demo's own set-up causes, on the first and a second run.

    Before: an "Invalid config" notification (infrared and radio_frequency without their libraries), a failed
    Google Translate entry (set up by the onboarding's core_config step), a repair about `http:` in YAML and one
    about the installation method. Only the last stays, marked ignored: it is about how the demo runs Home
    Assistant (Core in a Python environment), not about anything the user set up.
    """
    config_dir = tmp_path / "config"
    ports = (
        _free_port(),
        _free_port(),
        _free_port(),
    )  # the second run's cameras where the entries expect them
    for run in ("first", "second"):
        async with demo(config_dir, *ports) as running:
            hass = running.hass
            notifications, issues, entries = await _what_the_user_sees(hass)
            [states] = await hass.ws({"type": "get_states"})
            entity_ids = {state["entity_id"] for state in states}
            by_id = {state["entity_id"]: state["state"] for state in states}
            # The dome's saved preset, recalled by the demo: the select shows it.
            assert by_id.get("select.dome_ptz_preset") == "1: Gate", run
            [saved] = await hass.ws(
                {"type": "lovelace/config", "url_path": DASHBOARD_PATH}
            )
            # Each camera's motion sensor follows its emulator's motion: the dome's through ONVIF events (on
            # a new port each run, found again in NetPortInfo), the bullet's through /cgi/getAlarmStatus.
            for name, prefix in CAMERAS.items():
                sensor = f"binary_sensor.{prefix}_motion"
                running.cameras[name].motion.stop_periodic()
                assert running.cameras[name].motion.trigger(1, on=True), name
                await _until_state(hass, sensor, "on")
                running.cameras[name].motion.trigger(1, on=False)
                await _until_state(hass, sensor, "off")
        assert notifications == [], run
        assert [
            (i["domain"], i["issue_id"]) for i in issues if not i["ignored"]
        ] == [], run
        assert {(i["domain"], i["issue_id"]) for i in issues} <= ENVIRONMENT_REPAIRS
        assert [
            (e["domain"], e["state"]) for e in entries if e["state"] != "loaded"
        ] == []
        assert [e["domain"] for e in entries].count("cgi_camera") == 2
        assert not {"google_translate", "met", "radio_browser", "shopping_list"} & {
            e["domain"] for e in entries
        }
        if _flow_asks_for_a_name():
            # Named in the flow, so nobody renames them (and a page still showing a renamed camera's old entity id
            # makes Home Assistant answer 401, which it reports as "Login attempt failed").
            assert {e["title"] for e in entries if e["domain"] == "cgi_camera"} == set(
                CAMERAS
            )
            assert "camera.dome_main_stream" in entity_ids
        # The motion sensors and the dome's preset select exist and are on the dashboard.
        shown_on_dashboard = {
            row["entity"]
            for column in saved["views"][0]["cards"]
            for card in column["cards"]
            if card["type"] == "entities"
            for row in card["entities"]
        }
        for entity_id in (
            "binary_sensor.dome_motion",
            "binary_sensor.bullet_motion",
            "select.dome_ptz_preset",
        ):
            assert entity_id in entity_ids, (run, entity_id)
            assert entity_id in shown_on_dashboard, (run, entity_id)


def test_paths_are_shown_as_the_user_knows_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Inside the chroot the repository is /repo; the demo prints the host's path that scripts/develop passes."""
    monkeypatch.setattr(demo_module, "HOST_REPO", Path("/home/me/cgi_camera"))
    assert shown(REPO / "config") == "/home/me/cgi_camera/config"
    assert (
        shown(f"hass exited; see {REPO / 'config'}/home-assistant.log")
        == "hass exited; see /home/me/cgi_camera/config/home-assistant.log"
    )
    monkeypatch.setattr(demo_module, "HOST_REPO", None)
    assert shown(REPO / "config") == str(REPO / "config")
