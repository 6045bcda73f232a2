"""The repairs in a real Home Assistant: the three issues raised, each walked in Chromium (English and German), and the
factory password changed through the fix flow over HTTP.

Screenshots land in the test's tmp_path; with CGI_CAMERA_SCREENSHOTS=docs they are also written there:
`scripts/run env CGI_CAMERA_SCREENSHOTS=docs python -m pytest tests/e2e/test_repairs_e2e.py -p no:cacheprovider`.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import AuthenticationFailed, CgiCamera
from tests.e2e.browser import DEEP_JS, Browser, chromium_path
from tests.e2e.demo import ignore_environment_repairs
from tests.e2e.emulator_process import EmulatorProcess, free_port
from tests.e2e.hass import HASS_VERSIONS, REPO, HassServer, hass_python
from tests.e2e.test_browser_flow import untranslated
from tests.emulator import EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from pathlib import Path

USER, FACTORY, NEW = "admin", "admin", "Fresh-pa55&word"
DEMO_USER, DEMO_PASSWORD = "e2e", "e2e-password-2026"
NAME = "Porch"
EMULATED = EmulatorConfig()
DIALOG = "dialog-data-entry-flow"


@pytest.fixture
async def stack(
    socket_enabled: None, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncGenerator[tuple[HassServer, EmulatorProcess]]:
    """A camera with a factory password, ONVIF switched off and its clock 15 minutes ahead; a real Home Assistant.

    Parametrized indirectly with a release of HASS_VERSIONS, it runs that release's venv.
    """
    version: str | None = getattr(request, "param", None)
    if (python := hass_python(version)) is None:
        pytest.skip(f"no venv with Home Assistant {version}: run scripts/setup")
    emulator = EmulatorProcess(
        free_port(),
        "--onvif-port",
        "0",
        "--no-onvif-enabled",
        "--clock-offset",
        "900",
        user=USER,
        password=FACTORY,
        mac=EMULATED.mac,
    )
    await emulator.start()
    hass = HassServer(tmp_path / "config", free_port(), python)
    try:
        await hass.start()
        await hass.onboard_or_login(DEMO_USER, DEMO_PASSWORD)
        await ignore_environment_repairs(hass)
        yield hass, emulator
    finally:
        await hass.stop()
        await emulator.stop()


async def _issues(hass: HassServer) -> dict[str, dict[str, Any]]:
    [repairs] = await hass.ws({"type": "repairs/list_issues"})
    return {
        issue["issue_id"].rsplit("_", 1)[0]: issue
        for issue in repairs["issues"]
        if issue["domain"] == "cgi_camera"
    }


async def _until(check: Any, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"timed out waiting for {check.__name__}"
        await asyncio.sleep(0.5)


async def _walk(
    browser: Browser, hass: HassServer, language: str, folder: Path
) -> dict[str, list[str]]:
    """Open each repair in `language`, screenshot its first step and close it; return untranslated lines per screen."""
    texts = json.loads(
        (
            REPO / f"custom_components/cgi_camera/translations/{language}.json"
        ).read_text()
    )["issues"]
    await browser.navigate(f"{hass.url}/manifest.json")
    await browser.evaluate(
        f"localStorage.setItem('selectedLanguage', {json.dumps(json.dumps(language))})"
    )
    bad: dict[str, list[str]] = {}
    for kind in ("default_password", "onvif_disabled", "clock_wrong"):
        title = texts[kind]["title"].replace("{title}", NAME)
        await browser.navigate(f"{hass.url}/config/repairs")
        await browser.wait_for_text([title])
        if kind == "default_password":
            await asyncio.sleep(1)
            name = f"repairs-list-{language}"
            (folder / f"{name}.png").write_bytes(await browser.screenshot())
            _publish(folder, name)
        await _click_issue(browser, title)
        step = texts[kind]["fix_flow"]["step"]["init"]
        await browser.wait_for_text([step["title"].replace("{title}", NAME)])
        name = f"repair-{kind.replace('_', '-')}-{language}"
        await _shoot(browser, folder, name, bad)
        if kind == "default_password":
            # Two different passwords: the form says so (and nothing is sent).
            await browser.fill("new_password", "abcdef1")
            await browser.fill("confirm_password", "abcdef2")
            await _click_submit(browser)
            error = texts[kind]["fix_flow"]["error"]["password_mismatch"]
            await browser.wait_for_text([error])
            await _shoot(browser, folder, f"{name}-error", bad)
        elif kind == "clock_wrong":
            menu = texts[kind]["fix_flow"]["step"]["init"]["menu_options"]["ntp"]
            await browser.click(menu)
            ntp = texts[kind]["fix_flow"]["step"]["ntp"]["title"].replace(
                "{title}", NAME
            )
            await browser.wait_for_text([ntp])
            await _shoot(browser, folder, f"{name}-ntp", bad)
    return bad


async def _shoot(
    browser: Browser, folder: Path, name: str, bad: dict[str, list[str]]
) -> None:
    """Screenshot the dialog as `name` after it has settled; note its untranslated lines."""
    await asyncio.sleep(1)
    if lines := untranslated(await browser.text_in(DIALOG)):
        bad[name] = lines
    (folder / f"{name}.png").write_bytes(
        await browser.screenshot(await browser.box("dialog", 12))
    )
    _publish(folder, name)


async def _click_submit(browser: Browser) -> None:
    """Click the dialog's last enabled button (its submit button, whatever the language calls it)."""
    script = f"""(() => {{ {DEEP_JS}
      const [dialog] = deep((el) => el.tagName === "DIALOG-DATA-ENTRY-FLOW");
      if (!dialog) return false;
      const buttons = [];
      const walk = (root) => {{
        for (const el of root.querySelectorAll("*")) {{
          if ((el.tagName === "HA-BUTTON" || el.tagName === "MWC-BUTTON") && shown(el) && !el.disabled) buttons.push(el);
          if (el.shadowRoot) walk(el.shadowRoot);
        }}
      }};
      walk(dialog.shadowRoot || dialog);
      if (!buttons.length) return false;
      buttons[buttons.length - 1].click();
      return true;
    }})()"""
    assert await browser.evaluate(script), "no submit button"


async def _click_issue(browser: Browser, title: str, timeout: float = 30.0) -> None:
    """Click the repairs list's entry starting with `title` (its text goes on with the time and the integration)."""
    script = f"""(() => {{ {DEEP_JS}
      const hits = deep((el) => /^HA-(MD-)?LIST-ITEM/.test(el.tagName) && shown(el)
        && (el.innerText || "").trim().startsWith({json.dumps(title)}));
      if (!hits.length) return false;
      hits[hits.length - 1].click();
      return true;
    }})()"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await browser.evaluate(script):
        assert loop.time() < deadline, f"no repair {title!r} to click"
        await asyncio.sleep(0.3)


def _publish(folder: Path, name: str) -> None:
    if target := os.environ.get("CGI_CAMERA_SCREENSHOTS"):
        (REPO / target / f"{name}.png").write_bytes(
            (folder / f"{name}.png").read_bytes()
        )


@pytest.mark.parametrize(
    "stack",
    [None, *HASS_VERSIONS],
    ids=lambda version: version or "installed",
    indirect=True,
)
async def test_repairs_in_real_home_assistant(
    stack: tuple[HassServer, EmulatorProcess],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """Three issues appear; each reads as text in English and German; the password fix changes and stores it.

    The browser walk runs on the installed release only; the fix flow on every release.
    """
    hass, emulator = stack
    entry = await hass.add_camera("127.0.0.1", emulator.port, USER, FACTORY, name=NAME)

    async def three_issues() -> bool:
        return {"default_password", "onvif_disabled", "clock_wrong"} <= set(
            await _issues(hass)
        )

    await _until(three_issues)

    if chromium_path() is not None and "installed" in request.node.name:
        async with Browser() as browser:
            await browser.login(hass)
            bad = await _walk(browser, hass, "en", tmp_path)
            bad |= await _walk(browser, hass, "de", tmp_path)
        assert bad == {}

    # The password fix, as the dialog sends it.
    issue = (await _issues(hass))["default_password"]
    flow = await hass.request(
        "POST",
        "/api/repairs/issues/fix",
        {"handler": "cgi_camera", "issue_id": issue["issue_id"]},
    )
    assert flow["step_id"] == "init"
    assert flow["errors"] in (None, {})
    result = await hass.request(
        "POST",
        f"/api/repairs/issues/fix/{flow['flow_id']}",
        {"new_password": NEW, "confirm_password": NEW + "!"},
    )
    assert result["errors"] == {"base": "password_mismatch"}
    result = await hass.request(
        "POST",
        f"/api/repairs/issues/fix/{flow['flow_id']}",
        {"new_password": NEW, "confirm_password": NEW},
    )
    assert result["type"] == "create_entry"

    async with aiohttp.ClientSession() as session:
        assert (
            await CgiCamera(
                session, "127.0.0.1", emulator.port, USER, NEW
            ).device_info()
        ).mac
        with pytest.raises(AuthenticationFailed):
            await CgiCamera(
                session, "127.0.0.1", emulator.port, USER, FACTORY
            ).device_info()

    async def reloaded_without_the_issue() -> bool:
        (current,) = [
            e for e in await hass.entries() if e["entry_id"] == entry["entry_id"]
        ]
        return current["state"] == "loaded" and "default_password" not in await _issues(
            hass
        )

    await _until(reloaded_without_the_issue)

    # ONVIF: switched on by the fix; the entry reloads and live motion comes from ONVIF events.
    result = await _fix(hass, "onvif_disabled", {})
    assert result["type"] == "create_entry"

    async def onvif_motion() -> bool:
        (current,) = [
            e for e in await hass.entries() if e["entry_id"] == entry["entry_id"]
        ]
        if current["state"] != "loaded" or "onvif_disabled" in await _issues(hass):
            return False
        # (Diagnostics of an entry that is reloading answer 500: ask once it is loaded.)
        diagnostics = await hass.request(
            "GET", f"/api/diagnostics/config_entry/{entry['entry_id']}"
        )
        return '"source": "onvif"' in json.dumps(diagnostics)

    await _until(onvif_motion)
    await hass.request(
        "POST",
        "/api/services/switch/turn_on",
        {"entity_id": "switch.porch_motion_detection"},
    )
    async with aiohttp.ClientSession() as session:
        assert await emulator.motion(session, on=True) == "OK"

        async def sensor_on() -> bool:
            state = await hass.request("GET", "/api/states/binary_sensor.porch_motion")
            return bool(state["state"] == "on")

        await _until(sensor_on)

    # Clock: set from Home Assistant through the menu's first way.
    result = await _fix(hass, "clock_wrong", {"next_step_id": "set_time"})
    assert result["type"] == "create_entry"
    assert "clock_wrong" not in await _issues(hass)

    log = (hass.config_dir / "home-assistant.log").read_text(errors="replace")
    log += (hass.config_dir / "hass.stdout.log").read_text(errors="replace")
    assert NEW not in log
    assert NEW not in json.dumps(await _issues(hass))


async def _fix(
    hass: HassServer, kind: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Open the fix flow of the camera's `kind` issue and send `user_input` to its first step."""
    issue = (await _issues(hass))[kind]
    flow = await hass.request(
        "POST",
        "/api/repairs/issues/fix",
        {"handler": "cgi_camera", "issue_id": issue["issue_id"]},
    )
    return dict(
        await hass.request(
            "POST", f"/api/repairs/issues/fix/{flow['flow_id']}", user_input
        )
    )
