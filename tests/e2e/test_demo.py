"""The demo's dashboard layout (tests/e2e/demo.py): what `scripts/develop` saves, without starting anything."""

from __future__ import annotations

from typing import Any

import custom_components.cgi_camera  # noqa: F401
from tests.e2e.demo import ROWS, dashboard

DOME = {
    key: f"{platform}.dome_{key}"
    for platform, keys in {
        "camera": ("main_stream",),
        "button": ("ptz_up", "ptz_left", "ptz_stop", "ptz_right", "ptz_down"),
        "select": ("ptz_preset", "ir_cut_mode", "exposure_mode"),
        "number": ("brightness",),
        "sensor": ("sd_status", "sd_used_percent", "sd_total"),
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
