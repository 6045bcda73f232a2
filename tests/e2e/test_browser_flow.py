"""The add-camera flow as a user walks it in Chromium, against a real Home Assistant and the camera emulator.

The address form, a wrong password, a web server that is not a camera, the snapshot-preview confirm step, adding the
camera, adding it again (already configured) and the options; in English, then (the camera removed again) in German
on the same Home Assistant. Every dialog must read as text: no `[%key:...]` reference, no bare translation key, and
on the German screens none of our English strings. Screenshots (`<name>.png` in English, `<name>-de.png` in German)
land in the test's tmp_path; with CGI_CAMERA_SCREENSHOTS=docs (a folder relative to the repository) they are also
written there, which is how the README's pictures are made:
`scripts/run env CGI_CAMERA_SCREENSHOTS=docs python -m pytest tests/e2e/test_browser_flow.py -p no:cacheprovider`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from typing import TYPE_CHECKING, Any

import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.e2e.browser import DEEP_JS, Browser, chromium_path
from tests.e2e.hass import REPO
from tests.e2e.test_real_hass import PASSWORD, USER, stack  # noqa: F401 - the fixture

if TYPE_CHECKING:
    from pathlib import Path

    from tests.e2e.emulator_process import EmulatorProcess
    from tests.e2e.hass import HassServer

LANGUAGES = ("en", "de")
TRANSLATIONS: dict[str, dict[str, Any]] = {
    language: json.loads(
        (
            REPO / f"custom_components/cgi_camera/translations/{language}.json"
        ).read_text()
    )
    for language in LANGUAGES
}
EN = TRANSLATIONS["en"]
# The frontend's own button labels (hass_frontend's ui.common.submit, ui.common.close, ...config_flow.finish_skip).
BUTTONS = {
    "en": {
        "submit": "Submit",
        "close": "Close",
        "configure": "Configure",
        "skip": "Skip and finish",
        "finish": "Finish",
    },
    "de": {
        "submit": "OK",
        "close": "Schließen",
        "configure": "Konfigurieren",
        "skip": "Überspringen und fertigstellen",
        "finish": "Fertigstellen",
    },
}
# The name the owner gives the camera on the confirm step.
NAMES = {"en": "Porch", "de": "Eingang"}
# Keys the frontend shows as they are when their text is missing: step ids, field names, error and abort reasons.
KEYS = {
    key
    for section in (EN["config"], EN["options"])
    for group in ("step", "error", "abort")
    for key in section.get(group, {})
} | {
    field
    for section in (EN["config"], EN["options"])
    for step in section["step"].values()
    for field in step.get("data", {})
}
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
DIALOG = "dialog-data-entry-flow"
# The confirm step's preview: a loaded picture, shown in the flow's dialog.
SNAPSHOT_SHOWN_JS = f"""(() => {{ {DEEP_JS}
  return deep((el) => el.tagName === "IMG" && shown(el) && el.complete && el.naturalWidth > 0).length > 0;
}})()"""


def untranslated(text: str) -> list[str]:
    """Return the lines of `text` that are a translation reference or key instead of text."""
    bad = []
    for line in text.splitlines():
        word = line.strip().rstrip("*").strip()
        if (
            "[%key" in line
            or "component.cgi_camera." in line
            or word in KEYS
            or SNAKE_CASE.fullmatch(word)
        ):
            bad.append(line)
    return bad


def _leaves(node: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    """Return every string of a translations tree by its path."""
    if isinstance(node, dict):
        return {
            leaf: text
            for key, child in node.items()
            for leaf, text in _leaves(child, (*path, key)).items()
        }
    return {path: node} if isinstance(node, str) else {}


def english_phrases(translations: dict[str, Any]) -> set[str]:
    """Return the phrases of our English flow and options texts that `translations` says differently.

    A text is cut at its placeholders and markdown; pieces shorter than four letters say too little to tell.
    """
    english = _leaves({k: EN[k] for k in ("title", "config", "options")})
    other = _leaves({k: translations[k] for k in ("title", "config", "options")})
    phrases = set()
    for path, text in english.items():
        if other.get(path) == text:
            continue  # the same word in both languages: Host, Port, Name
        for piece in re.split(r"\{[^}]*\}|\*\*|\n", text):
            if len((piece := piece.strip(" .,:;?()“”")).replace(" ", "")) >= 4:
                phrases.add(piece)
    return phrases


def english_left(text: str, phrases: set[str]) -> list[str]:
    """Return the English `phrases` that `text` shows."""
    return sorted(p for p in phrases if p in text)


def test_english_left() -> None:
    """What the German walk counts as English left on a screen."""
    phrases = english_phrases(TRANSLATIONS["de"])
    assert {"Username", "Connect to the camera", "Camera options"} <= phrases
    assert not {"Host", "Port", "Name"} & phrases
    assert english_left("Benutzername*\nUsername*\nPort*", phrases) == ["Username"]
    de = TRANSLATIONS["de"]["config"]["step"]["connect"]
    assert english_left("\n".join(_leaves(de).values()), phrases) == []


def test_untranslated() -> None:
    """What the browser walk counts as untranslated."""
    assert untranslated(
        "Connect to the camera\n[%key:common::config_flow::data::host%]*\ninvalid_auth\nhost*\n"
        "component.cgi_camera.config.step.connect.title\nPort*\nThe password of that account."
    ) == [
        "[%key:common::config_flow::data::host%]*",
        "invalid_auth",
        "host*",
        "component.cgi_camera.config.step.connect.title",
    ]


class Walk:
    """The browser, the screenshots taken and the untranslated text seen, per screen."""

    def __init__(self, browser: Browser, folder: Path, language: str) -> None:
        self.browser = browser
        self.folder = folder
        self.language = language
        self.suffix = "" if language == "en" else f"-{language}"
        self.english = (
            set() if language == "en" else english_phrases(TRANSLATIONS[language])
        )
        self.untranslated: dict[str, list[str]] = {}
        self.shots: list[str] = []

    async def step(
        self, expect: dict[str, Any], timeout: float = 30.0
    ) -> dict[str, Any]:
        """Wait until the flow dialog shows a step with the `expect` items; return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            step = await self.browser.flow_step()
            if step and all(step.get(k) == v for k, v in expect.items()):
                await asyncio.sleep(1)  # rendered, and the preview image loaded
                return step
            assert loop.time() < deadline, f"the flow never showed {expect}: {step}"
            await asyncio.sleep(0.3)

    async def screen(self, name: str) -> str:
        """Record the dialog's untranslated lines and screenshot it as `name` (plus the language); return its text."""
        name += self.suffix
        text = await self.browser.text_in(DIALOG)
        bad = untranslated(text) + untranslated(await self.browser.page_text())
        if bad := bad + english_left(text, self.english):
            self.untranslated[name] = sorted(set(bad))
        png = await self.browser.screenshot(await self.browser.box("dialog", 12))
        (self.folder / f"{name}.png").write_bytes(png)
        if target := os.environ.get("CGI_CAMERA_SCREENSHOTS"):
            (REPO / target / f"{name}.png").write_bytes(png)
        self.shots.append(name)
        return text

    async def click(self, button: str) -> None:
        """Click the frontend's `button` (submit, close, configure, skip, finish) by its label in the language."""
        await self.browser.click(BUTTONS[self.language][button])

    async def start_flow(self, hass: HassServer) -> None:
        """Open Add integration → CGI IP Camera (the way a My link opens it) and confirm."""
        await self.browser.evaluate(
            f"localStorage.setItem('selectedLanguage', {json.dumps(json.dumps(self.language))})"
        )
        await self.browser.navigate(
            f"{hass.url}/config/integrations/dashboard/add?domain=cgi_camera"
        )
        await self.browser.click("OK")

    async def connect(self, port: int, password: str) -> None:
        """Fill the address form; the focus ends on the first field, as after a click into it."""
        await self.browser.fill("password", password)
        await self.browser.fill("username", USER)
        await self.browser.fill("port", str(port))
        await self.browser.fill("host", "127.0.0.1")
        await asyncio.sleep(
            0.5
        )  # the focused field's label floats up (an animation) before a screenshot


@pytest.mark.skipif(
    chromium_path() is None,
    reason="chromium is not installed (scripts/setup installs it as root on Debian); browser check skipped",
)
async def test_add_camera_in_browser(
    stack: tuple[HassServer, EmulatorProcess],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    """Walk the add-camera flow and the options in Chromium, in English and in German; every dialog reads as text."""
    hass, emulator = stack
    untranslated_by_screen: dict[str, list[str]] = {}
    async with Browser() as browser:
        await browser.login(hass)
        for language in LANGUAGES:
            walk = Walk(browser, tmp_path, language)
            await _walk(walk, hass, emulator)
            untranslated_by_screen |= walk.untranslated
            # The camera removed again, so the next language adds it anew.
            [entry] = await hass.entries()
            await hass.request(
                "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
            )

    # The walks raised no notification (such as "Login attempt failed").
    [notifications] = await hass.ws({"type": "persistent_notification/get"})
    assert notifications == []

    if untranslated_by_screen and any("[%key" in v for v in _en_values(EN)):
        # translations/en.json still holds `[%key:...]` references (issue 13.1, fixed on the `flow` branch): the
        # frontend shows them raw. This one check waits for that fix; it is a hard failure once they are gone.
        pytest.xfail(f"raw translation references in en.json: {untranslated_by_screen}")
    assert untranslated_by_screen == {}


async def _walk(walk: Walk, hass: HassServer, emulator: EmulatorProcess) -> None:
    """Add the camera, fail to add it again, and set an option, in the walk's language."""
    browser, texts = walk.browser, TRANSLATIONS[walk.language]
    errors, aborts = texts["config"]["error"], texts["config"]["abort"]

    await walk.start_flow(hass)
    # On loopback the network scan finds nothing, so the flow opens on the address form.
    await walk.step({"type": "form", "step_id": "connect"})
    await walk.connect(emulator.port, "not the password")
    await walk.screen("add-camera-address")

    await walk.click("submit")
    await walk.step({"step_id": "connect", "errors": {"base": "invalid_auth"}})
    assert errors["invalid_auth"] in await walk.screen("add-camera-wrong-password")

    # A web server that is not a camera: Home Assistant's own.
    await browser.fill("port", str(hass.port))
    await walk.click("submit")
    await walk.step(
        {"step_id": "connect", "errors": {"base": "not_a_supported_camera"}}
    )
    assert errors["not_a_supported_camera"] in await walk.screen(
        "config-flow-not-supported"
    )

    await browser.fill("port", str(emulator.port))
    await browser.fill("password", PASSWORD)
    await walk.click("submit")
    confirm = await walk.step({"type": "form", "step_id": "confirm"})
    named = any(f.get("name") == "name" for f in confirm.get("data_schema") or [])
    if named:  # the flow asks for a name: the entry's title and the device's name
        await browser.fill("name", NAMES[walk.language])
    assert await browser.evaluate(SNAPSHOT_SHOWN_JS), (
        "the confirm step shows no snapshot"
    )
    await walk.screen("add-camera-confirm")

    await walk.click("submit")
    await walk.step({"type": "create_entry"})
    await walk.screen("add-camera-done")
    await walk.click("skip")
    [entry] = await hass.entries()
    assert entry["state"] == "loaded"
    if named:
        assert entry["title"] == NAMES[walk.language]

    # The same camera again: the flow stops before anything is created.
    await walk.start_flow(hass)
    await walk.step({"type": "form", "step_id": "connect"})
    await walk.connect(emulator.port, PASSWORD)
    await walk.click("submit")
    await walk.step({"type": "abort", "reason": "already_configured"})
    # The message names the entry the camera belongs to.
    assert aborts["already_configured"].format(
        title=entry["title"]
    ) in await walk.screen("add-camera-already-configured")
    await walk.click("close")
    assert len(await hass.entries()) == 1

    # The options: Configure on the integration's page.
    await browser.navigate(f"{hass.url}/config/integrations/integration/cgi_camera")
    await walk.click("configure")
    await walk.step({"type": "form", "step_id": "init"})
    await browser.fill("ptz_watchdog", "15")
    await walk.screen("camera-options")
    # Out of range: the error gives the allowed range, and nothing is saved.
    await browser.fill("ptz_watchdog", "0")
    await walk.click("submit")
    await walk.step({"step_id": "init", "errors": {"ptz_watchdog": "out_of_range"}})
    out_of_range = texts["options"]["error"]["out_of_range"]
    assert out_of_range.format(min=1, max=120) in await walk.screen(
        "camera-options-out-of-range"
    )
    await browser.fill("ptz_watchdog", "15")
    await walk.click("submit")
    await walk.step({"type": "create_entry"})
    await walk.click("finish")

    # Saved.
    stored_entries = hass.config_dir / ".storage/core.config_entries"
    for _ in range(20):
        stored = json.loads(stored_entries.read_text())["data"]["entries"]
        options = next(e for e in stored if e["entry_id"] == entry["entry_id"])[
            "options"
        ]
        if options.get("ptz_watchdog") == 15:
            break
        await asyncio.sleep(0.5)
    assert options.get("ptz_watchdog") == 15, options


def _en_values(node: Any) -> list[str]:
    """Return every string in a translations tree."""
    if isinstance(node, dict):
        return [v for child in node.values() for v in _en_values(child)]
    return [node] if isinstance(node, str) else []
