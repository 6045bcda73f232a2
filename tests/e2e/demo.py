"""The demo behind `scripts/develop`: two emulated cameras and a real Home Assistant that uses them.

Run as `python -m tests.e2e.demo` inside the project's environment. Ctrl-C stops everything it started; a second
run reuses the configuration directory (owner account, config entries, dashboard).
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
import signal
import sys
from typing import TYPE_CHECKING, Any

from tests.e2e.browser import Browser
from tests.e2e.hass import REPO, HassError, HassServer
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DEMO_USER = "demo"
DASHBOARD_PATH = "cgi-cameras"
DEMO_PASSWORD = "demo-camera-2026"
# Not a factory password: a factory one would (rightly) raise the integration's "uses a factory password" repair.
CAMERA_PASSWORD = "admin-demo"
# Repairs about how the demo runs Home Assistant, not about anything a user would set up: Home Assistant Core in a
# Python environment is an installation method Home Assistant deprecates (for users; developers run it so).
ENVIRONMENT_REPAIRS = {("homeassistant", "deprecated_method")}

# The names given in the config flow: entity ids like camera.dome_main_stream, as in the README's examples.
CAMERAS = {"Dome": "dome", "Bullet": "bullet"}

DOME = EmulatorConfig(
    username="admin",
    password=CAMERA_PASSWORD,
    mac="00:2a:2a:de:00:01",
    device_id="V6202IR-IMX327-PTZ",
    serial="DEMO0DOME001",
    ptz=True,
    sd_card=False,
    latency=0.02,
    # Live motion from ONVIF events (a PullPoint subscription on a port of its own, announced in NetPortInfo).
    onvif=True,
    # The demo's Home Assistant runs in UTC: the cameras' clocks are set right (no clock repair).
    time_zone=0,
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
    # Live motion from polling /cgi/getAlarmStatus (no ONVIF).
    alarm_status=True,
    time_zone=0,
)
# Each camera sees motion for MOTION_SECONDS every so many seconds (staggered, so the dashboard rarely shows both).
MOTION_EVERY = {"Dome": 45.0, "Bullet": 60.0}
MOTION_SECONDS = 5.0
# The dome's saved PTZ preset: the preset select appears only once the camera has one.
DOME_PRESET = (1, "Gate")
# The entities the dashboard waits for (they appear after the entry is set up: the preset select once the preset
# list has been read, the motion sensor once the motion source has been detected).
EXPECTED = {
    "Dome": ("main_stream", "motion", "ptz_preset"),
    "Bullet": ("main_stream", "motion"),
}


# The dashboard's rows, with short names (the entities' own names start with the device's name).
ROWS = {
    "motion": "Motion",
    "ptz_preset": "Preset",
    "ir_cut_mode": "IR-cut",
    "brightness": "Brightness",
    "sd_status": "SD card",
    "sd_used_percent": "SD card used",
    "motion_detection": "Motion detection",
}


def dashboard(
    entities: dict[str, dict[str, str]], states: dict[str, str] | None = None
) -> dict[str, Any]:
    """Return a Lovelace dashboard: live view, PTZ pad (a tap moves), IR-cut, brightness and SD status per camera.

    A camera whose SD card status is "off" (no card) gets no SD rows.
    """
    states = states or {}
    cards: list[dict[str, Any]] = []
    for title, by_key in entities.items():
        no_card = states.get(by_key.get("sd_status", "")) == "off"
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
                        {
                            "type": "button",
                            "entity": e,
                            "show_name": False,
                            "show_state": False,
                            # A tap moves the camera (a button card's default opens the entity's dialog).
                            "tap_action": {
                                "action": "perform-action",
                                "perform_action": "button.press",
                                "target": {"entity_id": e},
                            },
                        }
                        for e in pad
                    ],
                }
            )
        rows = [
            {"entity": by_key[key], "name": name}
            for key, name in ROWS.items()
            if key in by_key and not (no_card and key.startswith("sd_"))
        ]
        if rows:
            stack.append({"type": "entities", "entities": rows})
        cards.append({"type": "vertical-stack", "cards": stack})
    return {
        "title": "CGI cameras",
        "views": [{"title": "Cameras", "path": "cameras", "cards": cards}],
    }


async def save_dashboard(hass: HassServer, config: dict[str, Any]) -> None:
    """Save `config` as the demo's own dashboard (in the sidebar), creating it on the first run.

    Not the default dashboard: the frontend of Home Assistant 2026.10 opens its generated Overview (/home) instead
    and sends /lovelace there, so a saved default dashboard is never seen.
    """
    [dashboards] = await hass.ws({"type": "lovelace/dashboards/list"})
    if not any(d.get("url_path") == DASHBOARD_PATH for d in dashboards):
        await hass.ws(
            {
                "type": "lovelace/dashboards/create",
                "url_path": DASHBOARD_PATH,
                "title": "Cameras",
                "icon": "mdi:cctv",
                "show_in_sidebar": True,
            }
        )
    await hass.ws(
        {"type": "lovelace/config/save", "url_path": DASHBOARD_PATH, "config": config}
    )


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


async def screenshot_dashboard(running: Demo, target: Path) -> None:
    """Open the dashboard in headless Chromium as the demo user and save a PNG of it to `target`.

    The dome sees motion while the picture is taken (its motion row reads "Detected"), the bullet none.
    """
    hass = running.hass
    titles = [e["title"] for e in await hass.entries()]
    dome = running.cameras["Dome"]
    dome.motion.stop_periodic()
    dome.motion.trigger(1, on=True)
    async with Browser() as browser:
        await browser.login(hass)
        await browser.navigate(f"{hass.url}/{DASHBOARD_PATH}/cameras")
        await browser.wait_for_text([*titles, *ROWS.values(), "Detected"])
        await asyncio.sleep(3)  # the live views' first frames and the icons
        target.write_bytes(await browser.screenshot())
    dome.motion.trigger(1, on=False)
    dome.motion.start_periodic(MOTION_EVERY["Dome"], MOTION_SECONDS)


async def ignore_environment_repairs(hass: HassServer, timeout: float = 15.0) -> None:
    """Mark the ENVIRONMENT_REPAIRS ignored (they stay listed, flagged ignored) once Home Assistant raised them.

    Home Assistant raises them shortly after it has started; one that has not appeared within `timeout` is not
    waited for (e.g. Home Assistant in a container raises none).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    waiting = set(ENVIRONMENT_REPAIRS)
    while waiting and loop.time() < deadline:
        [config, repairs] = await hass.ws(
            {"type": "get_config"}, {"type": "repairs/list_issues"}
        )
        for issue in repairs["issues"]:
            key = (issue["domain"], issue["issue_id"])
            if key in waiting:
                if not issue["ignored"]:
                    await hass.ws(
                        {
                            "type": "repairs/ignore_issue",
                            "domain": key[0],
                            "issue_id": key[1],
                            "ignore": True,
                        }
                    )
                waiting.discard(key)
        if waiting:
            await asyncio.sleep(0.5 if config.get("state") != "RUNNING" else 1.0)


@dataclass
class Demo:
    """The running demo: Home Assistant and the emulated cameras, by the names given in the config flow."""

    hass: HassServer
    cameras: dict[str, CameraEmulator]


async def wait_for_entities(
    hass: HassServer, expected: dict[str, tuple[str, ...]], timeout: float = 40.0
) -> dict[str, dict[str, str]]:
    """Return entity_map() once each camera has the `expected` entity keys (or, after `timeout`, as it is)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        entities = await entity_map(hass)
        missing = {
            title: [key for key in keys if key not in entities.get(title, {})]
            for title, keys in expected.items()
            if title in entities
        }
        if not any(missing.values()):
            return entities
        if loop.time() > deadline:
            print(f"still missing after {timeout:.0f} s: {missing}", flush=True)
            return entities
        await asyncio.sleep(1)


@asynccontextmanager
async def demo(
    config_dir: Path, port: int, dome_port: int, bullet_port: int
) -> AsyncIterator[Demo]:
    """Start both emulated cameras and Home Assistant, configure them once; stop everything on exit."""
    dome, bullet = CameraEmulator(DOME), CameraEmulator(BULLET)
    dome.state.channel(1).ptz.save_preset(*DOME_PRESET)
    cameras = dict(zip(CAMERAS, (dome, bullet), strict=True))
    hass = HassServer(config_dir, port)
    try:
        await dome.start(host="127.0.0.1", port=dome_port)
        await bullet.start(host="127.0.0.1", port=bullet_port)
        for name, emu in cameras.items():
            emu.motion.start_periodic(MOTION_EVERY[name], MOTION_SECONDS)
        print(
            f"emulated PTZ dome:      http://127.0.0.1:{dome.port}/  (admin / {CAMERA_PASSWORD}), "
            f"ONVIF motion events on port {dome.onvif.port if dome.onvif else '-'}",
            flush=True,
        )
        print(
            f"emulated bullet + SD:   http://127.0.0.1:{bullet.port}/  (admin / {CAMERA_PASSWORD}), "
            "motion from /cgi/getAlarmStatus",
            flush=True,
        )
        print(
            "motion: "
            + ", ".join(
                f"{name} {MOTION_SECONDS:.0f} s every {every:.0f} s"
                for name, every in MOTION_EVERY.items()
            )
            + f"; by hand: curl 'http://127.0.0.1:{dome.port}/emulator/motion?channel=1&on=1' (on=0 ends it)",
            flush=True,
        )
        print(
            f"starting Home Assistant with {shown(config_dir)} ...",
            flush=True,
        )
        await hass.start()
        await hass.onboard_or_login(DEMO_USER, DEMO_PASSWORD)
        known = {(e.get("title"), e.get("state")) for e in await hass.entries()}
        if len(known) < 2:
            for name, emu in cameras.items():
                try:
                    await hass.add_camera(
                        "127.0.0.1",
                        emu.port,
                        emu.config.username,
                        emu.config.password,
                        name,
                    )
                except HassError as err:
                    print(
                        f"could not add the camera on port {emu.port}: {shown(err)}",
                        flush=True,
                    )
        await ignore_environment_repairs(hass)
        entities = await wait_for_entities(hass, EXPECTED)
        if preset := entities.get("Dome", {}).get("ptz_preset"):
            # The select shows the last preset recalled through it (unknown before): recall the saved one.
            try:
                await hass.request(
                    "POST",
                    "/api/services/select/select_option",
                    {"entity_id": preset, "option": "{}: {}".format(*DOME_PRESET)},
                )
            except HassError as err:
                print(f"could not recall the dome's preset: {shown(err)}", flush=True)
        states = {
            s["entity_id"]: s["state"] for s in await hass.request("GET", "/api/states")
        }
        await save_dashboard(hass, dashboard(entities, states))
        yield Demo(hass, cameras)
    finally:
        await hass.stop()
        await bullet.stop()
        await dome.stop()


# Where the repository is for the user: `scripts/develop` passes it, since inside the chroot it is /repo.
HOST_REPO: Path | None = None


def shown(value: object) -> str:
    """Return `value` (a path, or a message with paths in it) with the repository's path as the user sees it."""
    text = str(value)
    if HOST_REPO is None:
        return text
    return text.replace(str(REPO), str(HOST_REPO))


async def run(
    config_dir: Path,
    port: int,
    dome_port: int,
    bullet_port: int,
    screenshot: Path | None = None,
) -> None:
    """Start everything, configure it once, and wait for Ctrl-C."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with demo(config_dir, port, dome_port, bullet_port) as running:
            hass = running.hass
            if screenshot is not None:
                await screenshot_dashboard(running, screenshot)
                print(
                    f"dashboard screenshot: {shown(screenshot.resolve())}", flush=True
                )
            print(f"\nHome Assistant: {hass.url}/{DASHBOARD_PATH}/cameras", flush=True)
            print(
                f"log in as {DEMO_USER} / {DEMO_PASSWORD}; Ctrl-C stops everything.",
                flush=True,
            )
            await stop.wait()
            print("stopping ...", flush=True)
    except HassError as err:
        sys.exit(f"demo failed: {shown(err)}")


def main() -> None:
    """Parse arguments and run the demo."""
    global HOST_REPO  # noqa: PLW0603 - set once, before anything prints
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=REPO / "config")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--dome-port", type=int, default=8081)
    parser.add_argument("--bullet-port", type=int, default=8082)
    parser.add_argument(
        "--screenshot",
        type=Path,
        help="save a PNG of the dashboard here (headless Chromium), e.g. docs/dashboard.png",
    )
    parser.add_argument(
        "--host-repo",
        type=Path,
        help="the repository's path as the user sees it (scripts/develop passes it), for the paths printed",
    )
    args = parser.parse_args()
    HOST_REPO = args.host_repo
    asyncio.run(
        run(
            args.config.resolve(),
            args.port,
            args.dome_port,
            args.bullet_port,
            args.screenshot,
        )
    )


if __name__ == "__main__":
    main()
