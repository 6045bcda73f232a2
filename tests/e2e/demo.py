"""The demo behind `scripts/develop`: two emulated cameras and a real Home Assistant that uses them.

Run as `python -m tests.e2e.demo` inside the project's environment. Ctrl-C stops everything it started; a second
run reuses the configuration directory (owner account, config entries, dashboard).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import signal
from typing import Any

from tests.e2e.hass import REPO, HassError, HassServer
from tests.emulator import CameraEmulator, EmulatorConfig

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-camera-2026"
CAMERA_PASSWORD = "admin-demo"

DOME = EmulatorConfig(
    username="admin",
    password=CAMERA_PASSWORD,
    mac="00:2a:2a:de:00:01",
    device_id="V6202IR-IMX327-PTZ",
    serial="DEMO0DOME001",
    ptz=True,
    sd_card=False,
    latency=0.02,
)
BULLET = EmulatorConfig(
    username="admin",
    password=CAMERA_PASSWORD,
    mac="00:2a:2a:de:00:02",
    device_id="V6202IR-AR0237",
    serial="DEMO0BULL002",
    ptz=False,
    sd_card=True,
    latency=0.02,
)


def dashboard(entities: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Return a Lovelace dashboard: live view, PTZ pad, IR-cut, exposure and SD status per camera."""
    cards: list[dict[str, Any]] = []
    for title, by_key in entities.items():
        camera = (
            by_key.get("main_stream")
            or by_key.get("camera")
            or next((eid for eid in by_key.values() if eid.startswith("camera.")), None)
        )
        stack: list[dict[str, Any]] = [{"type": "markdown", "content": f"## {title}"}]
        if camera:
            stack.append(
                {
                    "type": "picture-entity",
                    "entity": camera,
                    "camera_view": "live",
                    "show_state": False,
                }
            )
        pad = [
            by_key[k]
            for k in ("ptz_up", "ptz_left", "ptz_stop", "ptz_right", "ptz_down")
            if k in by_key
        ]
        if pad:
            stack.append(
                {
                    "type": "grid",
                    "columns": 5,
                    "square": False,
                    "cards": [
                        {"type": "button", "entity": e, "show_state": False}
                        for e in pad
                    ],
                }
            )
        rows = [
            by_key[k]
            for k in (
                "ptz_preset",
                "ir_cut_mode",
                "exposure_mode",
                "brightness",
                "sd_status",
                "sd_used_percent",
                "sd_total",
                "motion_detection",
            )
            if k in by_key
        ]
        if rows:
            stack.append({"type": "entities", "entities": rows})
        cards.append({"type": "vertical-stack", "cards": stack})
    return {
        "title": "CGI cameras",
        "views": [{"title": "Cameras", "path": "cameras", "cards": cards}],
    }


async def entity_map(hass: HassServer) -> dict[str, dict[str, str]]:
    """Map each camera's title to {description key: entity_id} from the entity registry."""
    [registry] = await hass.ws({"type": "config/entity_registry/list"})
    entries = {e["entry_id"]: e["title"] for e in await hass.entries()}
    result: dict[str, dict[str, str]] = {title: {} for title in entries.values()}
    for item in registry:
        if (
            item.get("platform") != "cgi_camera"
            or item.get("config_entry_id") not in entries
        ):
            continue
        key = str(item.get("unique_id", "")).split("_", 2)[-1]
        result[entries[item["config_entry_id"]]].setdefault(key, item["entity_id"])
    return result


async def run(config_dir: Path, port: int, dome_port: int, bullet_port: int) -> None:
    """Start everything, configure it once, and wait for Ctrl-C."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    dome, bullet = CameraEmulator(DOME), CameraEmulator(BULLET)
    hass = HassServer(config_dir, port)
    try:
        await dome.start(host="127.0.0.1", port=dome_port)
        await bullet.start(host="127.0.0.1", port=bullet_port)
        print(
            f"emulated PTZ dome:      http://127.0.0.1:{dome.port}/  (admin / {CAMERA_PASSWORD})",
            flush=True,
        )
        print(
            f"emulated bullet + SD:   http://127.0.0.1:{bullet.port}/  (admin / {CAMERA_PASSWORD})",
            flush=True,
        )
        print(f"starting Home Assistant with {config_dir} ...", flush=True)
        await hass.start()
        await hass.onboard_or_login(DEMO_USER, DEMO_PASSWORD)
        known = {(e.get("title"), e.get("state")) for e in await hass.entries()}
        if len(known) < 2:
            for emu in (dome, bullet):
                try:
                    await hass.add_camera(
                        "127.0.0.1", emu.port, emu.config.username, emu.config.password
                    )
                except HassError as err:
                    print(
                        f"could not add the camera on port {emu.port}: {err}",
                        flush=True,
                    )
        await asyncio.sleep(2)
        await hass.ws(
            {
                "type": "lovelace/config/save",
                "config": dashboard(await entity_map(hass)),
            }
        )
        print(f"\nHome Assistant: {hass.url}/lovelace/cameras", flush=True)
        print(
            f"log in as {DEMO_USER} / {DEMO_PASSWORD}; Ctrl-C stops everything.",
            flush=True,
        )
        await stop.wait()
    finally:
        print("stopping ...", flush=True)
        await hass.stop()
        await bullet.stop()
        await dome.stop()


def main() -> None:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=REPO / "config")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--dome-port", type=int, default=8081)
    parser.add_argument("--bullet-port", type=int, default=8082)
    args = parser.parse_args()
    asyncio.run(run(args.config, args.port, args.dome_port, args.bullet_port))


if __name__ == "__main__":
    main()
