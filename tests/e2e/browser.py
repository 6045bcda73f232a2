"""Headless Chromium over the DevTools protocol: open Home Assistant's device page as a logged-in user.

The end-to-end test uses it to check that the frontend shows the camera's device with its entities, and to take a
screenshot. Only aiohttp is needed (its WebSocket client speaks CDP); the browser is Debian's `chromium` package,
which `scripts/setup` installs.

Regenerate the README's screenshot (docs/device-page.png) with
`scripts/run env CGI_CAMERA_SCREENSHOT=docs/device-page.png python -m pytest tests/e2e -k device_page`
(the test copies its screenshot there; the path is relative to the repository; `scripts/run` passes no
environment variables through, hence the `env` inside it).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
from pathlib import Path
import shutil
import signal
import tempfile
import time
from typing import TYPE_CHECKING, Any, Self

import aiohttp

from tests.e2e.hass import CLIENT_ID

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import TracebackType

    from tests.e2e.hass import HassServer

WINDOW = (1400, 1000)

# All text under `root` (the document, or an element), including the text inside (open) shadow roots, which
# innerText does not reach: the frontend is made of web components, so nearly everything on a page lives in nested
# shadow roots.
TEXT_UNDER_JS = """
((root) => {
  const parts = [];
  const walk = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.currentNode; node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        const parent = node.parentNode && node.parentNode.nodeName;
        if (parent === "SCRIPT" || parent === "STYLE" || parent === "NOSCRIPT") continue;
        const text = node.nodeValue.trim();
        if (text) parts.push(text);
      } else if (node.shadowRoot) {
        walk(node.shadowRoot);
      }
    }
  };
  walk(root);
  return parts.join("\\n");
})
"""
PAGE_TEXT_JS = f"{TEXT_UNDER_JS}(document)"

# `deep(predicate)`: every element of the page that matches, shadow roots included, in document order.
DEEP_JS = """
const deep = (predicate) => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (predicate(el)) found.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
};
const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
"""

# What a user can click by its text: buttons and list items (the frontend's own and native ones); icon buttons are
# clicked by their label (their tooltip and accessible name).
CLICKABLE = "^(HA-BUTTON|BUTTON|MWC-BUTTON|HA-LIST-ITEM.*|HA-MD-LIST-ITEM.*|HA-DROPDOWN-ITEM|HA-MD-MENU-ITEM)$"


class BrowserError(RuntimeError):
    """Chromium did not start, or a DevTools command failed."""


def chromium_path() -> str | None:
    """Return the Chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """A headless Chromium process and a DevTools connection to its one page."""

    def __init__(self, executable: str | None = None) -> None:
        """Prepare (but do not start) the browser."""
        self.executable = executable or chromium_path()
        self.process: asyncio.subprocess.Process | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        # The page's console messages and uncaught exceptions, for error messages.
        self.console: list[str] = []

    async def __aenter__(self) -> Self:
        """Start the browser; it is stopped on exit, also when starting fails halfway."""
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the browser."""
        await self.stop()

    @property
    def log(self) -> str:
        """Return the end of Chromium's stderr (for error messages)."""
        if self._profile is None:
            return ""
        path = Path(self._profile.name) / "chromium.log"
        with contextlib.suppress(OSError):
            return "\n".join(path.read_text(errors="replace").splitlines()[-20:])
        return ""

    async def start(self, timeout: float = 30.0) -> None:
        """Start Chromium with a fresh profile and connect to its page target."""
        if self.executable is None:
            raise BrowserError("chromium is not installed")
        self._profile = tempfile.TemporaryDirectory(prefix="cgi-camera-chromium-")
        profile = Path(self._profile.name)
        with (profile / "chromium.log").open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                self.executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                "--lang=en-US",
                # Port 0: Chromium picks a free port and writes it to DevToolsActivePort (no race for the port).
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "about:blank",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, "HOME": str(profile)},
                start_new_session=True,
            )
        self._session = aiohttp.ClientSession()
        port_file = profile / "DevToolsActivePort"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.process.returncode is not None:
                raise BrowserError(
                    f"chromium exited with {self.process.returncode}:\n{self.log}"
                )
            target = None
            with contextlib.suppress(
                OSError, ValueError, IndexError, aiohttp.ClientError
            ):
                port = int(port_file.read_text().split()[0])
                async with self._session.get(f"http://127.0.0.1:{port}/json") as resp:
                    targets = await resp.json()
                target = next(t for t in targets if t.get("type") == "page")
            if target is not None:
                break
            if loop.time() > deadline:
                raise BrowserError(
                    f"chromium gave no page target within {timeout:.0f} s:\n{self.log}"
                )
            await asyncio.sleep(0.2)
        self._ws = await self._session.ws_connect(
            target["webSocketDebuggerUrl"], max_msg_size=0
        )
        self._reader = asyncio.create_task(self._read())
        await self.send("Runtime.enable")
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WINDOW[0],
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=False,
        )

    async def stop(self) -> None:
        """Close the connection and kill Chromium's whole process group."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()
            self.process = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            self._event(data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(BrowserError("the DevTools connection closed"))

    def _event(self, data: dict[str, Any]) -> None:
        params = data.get("params", {})
        match data.get("method"):
            case "Runtime.consoleAPICalled":
                args = params.get("args", [])
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in args
                )
                self.console.append(f"console.{params.get('type')}: {text}")
            case "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                exception = details.get("exception", {})
                # A rejected promise's reason is often a plain object ({code, message} from the WebSocket API).
                preview = {
                    p["name"]: p.get("value")
                    for p in exception.get("preview", {}).get("properties", [])
                }
                text = (
                    json.dumps(preview) if preview else exception.get("description", "")
                )
                self.console.append(f"{details.get('text')} {text}")

    async def send(self, method: str, timeout: float = 30.0, **params: Any) -> Any:
        """Send one DevTools command and return its result."""
        assert self._ws is not None
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = (
            asyncio.get_running_loop().create_future()
        )
        self._pending[ident] = future
        await self._ws.send_json({"id": ident, "method": method, "params": params})
        try:
            reply = await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(ident, None)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page (awaiting a promise) and return the value."""
        result = await self.send(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get(
                "text"
            )
            raise BrowserError(f"JavaScript error: {text}")
        return result.get("result", {}).get("value")

    async def navigate(self, url: str, timeout: float = 30.0) -> None:
        """Open `url` and wait until its document has loaded."""
        # A marker on the old document tells it apart from the new one, whatever URL the new one ends up at.
        await self.evaluate("window.__cgiCameraOldDocument = true")
        result = await self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"navigating to {url}: {result['errorText']}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with contextlib.suppress(BrowserError):
                if await self.evaluate(
                    "!window.__cgiCameraOldDocument && document.readyState === 'complete'"
                ):
                    return
            if loop.time() > deadline:
                raise BrowserError(f"{url} did not load within {timeout:.0f} s")
            await asyncio.sleep(0.2)

    async def page_text(self) -> str:
        """Return the page's text, shadow roots included."""
        return str(await self.evaluate(PAGE_TEXT_JS) or "")

    async def text_in(self, tag: str) -> str:
        """Return the text of the last element `tag` (shadow roots included), or "" when there is none."""
        script = f"""(() => {{ {DEEP_JS}
          const hits = deep((el) => el.tagName === {json.dumps(tag.upper())});
          return hits.length ? {TEXT_UNDER_JS}(hits[hits.length - 1]) : "";
        }})()"""
        return str(await self.evaluate(script) or "")

    async def flow_step(self) -> dict[str, Any] | None:
        """Return the step the open config or options flow dialog shows (type, step_id, errors, reason...).

        Read from the frontend's dialog element, so a test can tell which step it is on whatever its text says.
        """
        script = f"""(() => {{ {DEEP_JS}
          const [dialog] = deep((el) => el.tagName === "DIALOG-DATA-ENTRY-FLOW");
          return dialog && dialog._step ? JSON.parse(JSON.stringify(dialog._step)) : null;
        }})()"""
        step = await self.evaluate(script)
        return dict(step) if step else None

    async def wait_for_text(
        self, expected: Iterable[str], timeout: float = 60.0
    ) -> str:
        """Wait until the page's text contains every string of `expected`; return the text."""
        wanted = list(expected)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            text = await self.page_text()
            missing = [w for w in wanted if w not in text]
            if not missing:
                return text
            if loop.time() > deadline:
                console = "\n".join(self.console[-20:])
                raise BrowserError(
                    f"the page never showed {missing}; it showed:\n{text[:2000]}\nconsole:\n{console}"
                )
            await asyncio.sleep(0.5)

    async def screenshot(self, clip: dict[str, float] | None = None) -> bytes:
        """Return a PNG of the viewport, or of the `clip` rectangle of it (x, y, width, height)."""
        params: dict[str, Any] = {"format": "png"}
        if clip is not None:
            params["clip"] = {**clip, "scale": 1}
        result = await self.send("Page.captureScreenshot", **params)
        return base64.b64decode(result["data"])

    async def click(self, label: str, timeout: float = 30.0) -> None:
        """Click the (last shown, enabled) button or list item whose text (or icon button whose label) is `label`.

        Waits for one to appear.
        """
        script = f"""(() => {{ {DEEP_JS}
          const label = {json.dumps(label)};
          const hits = deep((el) => shown(el) && !el.disabled && (
            (new RegExp({json.dumps(CLICKABLE)}).test(el.tagName) && (el.innerText || "").trim() === label)
            || (el.tagName === "HA-ICON-BUTTON" && el.label === label)));
          if (!hits.length) return false;
          hits[hits.length - 1].click();
          return true;
        }})()"""
        await self._until(script, f"a button {label!r}", timeout)

    async def fill(self, name: str, value: str, timeout: float = 30.0) -> None:
        """Type `value` into form field `name` (an ha-form field), replacing what is there, as a user would."""
        script = f"""(() => {{ {DEEP_JS}
          const [field] = deep((el) => el.tagName === "HA-SELECTOR" && el.name === {json.dumps(name)} && shown(el));
          if (!field) return false;
          const inputs = [];
          const walk = (root) => {{
            for (const el of root.querySelectorAll("*")) {{
              if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") inputs.push(el);
              if (el.shadowRoot) walk(el.shadowRoot);
            }}
          }};
          walk(field.shadowRoot || field);
          if (!inputs.length) return false;
          inputs[0].focus();
          inputs[0].select();
          return true;
        }})()"""
        await self._until(script, f"a form field {name!r}", timeout)
        if value:
            await self.send("Input.insertText", text=value)
        else:
            for kind in ("keyDown", "keyUp"):
                await self.send(
                    "Input.dispatchKeyEvent",
                    type=kind,
                    key="Backspace",
                    code="Backspace",
                    windowsVirtualKeyCode=8,
                )

    async def box(self, tag: str, margin: float = 0) -> dict[str, float]:
        """Return the rectangle (x, y, width, height) of the last shown element `tag`, grown by `margin`."""
        script = f"""(() => {{ {DEEP_JS}
          const hits = deep((el) => el.tagName === {json.dumps(tag.upper())} && shown(el));
          if (!hits.length) return null;
          const r = hits[hits.length - 1].getBoundingClientRect();
          return {{x: r.x, y: r.y, width: r.width, height: r.height}};
        }})()"""
        if (rect := await self.evaluate(script)) is None:
            raise BrowserError(f"no {tag} is shown")
        x, y = max(rect["x"] - margin, 0), max(rect["y"] - margin, 0)
        return {
            "x": x,
            "y": y,
            "width": min(rect["width"] + 2 * margin, WINDOW[0] - x),
            "height": min(rect["height"] + 2 * margin, WINDOW[1] - y),
        }

    async def _until(self, script: str, what: str, timeout: float) -> None:
        """Evaluate `script` until it returns true."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self.evaluate(script):
            if loop.time() > deadline:
                text = await self.page_text()
                raise BrowserError(
                    f"the page never showed {what}; it showed:\n{text[-2000:]}"
                )
            await asyncio.sleep(0.3)

    async def login(self, hass: HassServer) -> None:
        """Give the frontend the session of `hass` (its access and refresh tokens) the way it keeps one.

        The frontend reads `localStorage.hassTokens` on start and uses it when `hassUrl` is this origin; with a
        valid access token it goes straight to the page, without the login form. `clientId` must be the client id
        the tokens were issued to, or the frontend's later refresh of the access token would be refused.
        """
        assert hass.token is not None
        tokens = {
            "hassUrl": hass.url,
            "clientId": CLIENT_ID,
            "access_token": hass.token,
            "refresh_token": hass.refresh_token,
            "expires_in": 1800,
            "expires": int(time.time() * 1000) + 1800 * 1000,
            "token_type": "Bearer",
        }
        # Any page of the origin will do for localStorage; this one does not start the frontend.
        await self.navigate(f"{hass.url}/manifest.json")
        await self.evaluate(
            f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})"
        )

    async def open_device_page(
        self, hass: HassServer, device_id: str, expected: Iterable[str]
    ) -> str:
        """Open the device's page and wait until it shows every string of `expected`; return the page's text."""
        await self.navigate(f"{hass.url}/config/devices/device/{device_id}")
        return await self.wait_for_text(expected)
