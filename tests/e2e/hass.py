"""Drive a real Home Assistant process over its HTTP and WebSocket APIs (demo and end-to-end test).

Nothing here imports the integration: the process loads it from the configuration directory like a user's would.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
from pathlib import Path
import signal
import sys
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Mapping

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "http://127.0.0.1/"

# The Home Assistant releases the end-to-end test also runs against, besides the one installed with the tests: one
# pinned requirements file each (requirements_ha_2026_3.txt is release 2026.3), installed by scripts/setup into a venv
# of its own.
HASS_VERSIONS = tuple(
    sorted(
        (
            path.stem.removeprefix("requirements_ha_").replace("_", ".")
            for path in REPO.glob("requirements_ha_*.txt")
        ),
        key=lambda version: tuple(int(part) for part in version.split(".")),
    )
)


def hass_python(version: str | None = None) -> Path | None:
    """Return the Python of the venv scripts/setup made for this release, or None if there is none.

    Without a version, the Python running this code (its venv has the release the unit tests pin). The venv is
    `.venv-ha-<version>` next to the repository's .venv, or `/venv-ha-<version>` in the chroot (scripts/setup).
    """
    if version is None:
        return Path(sys.executable)
    for venv in (REPO / f".venv-ha-{version}", Path(f"/venv-ha-{version}")):
        if (venv / "bin" / "python").is_file():
            return venv / "bin" / "python"
    return None


CONFIGURATION_YAML = """\
# Written by tests/e2e/hass.py: a minimal Home Assistant for the CGI IP Camera demo.
homeassistant:
  name: CGI camera demo
  unit_system: metric
  time_zone: UTC
  country: DE
  currency: EUR
  latitude: 52.52
  longitude: 13.40
  elevation: 34
{http}
frontend:
config:
api:
onboarding:
lovelace:
person:
system_health:
diagnostics:
repairs:
# Live view over RTSP (HLS): needs PyAV in Home Assistant's venv (requirements_test.txt, requirements_ha_*.txt).
stream:
logger:
  default: warning
  logs:
    custom_components.cgi_camera: info
"""
# Only for a Home Assistant that still reads `http:` from YAML (see `_http_settings_in_storage`).
HTTP_YAML = """
http:
  server_host: 127.0.0.1
  server_port: {port}
"""
# The onboarding steps after the owner account, marked done before the first start: the core_config step would set
# up Google Translate, Met.no, Radio Browser and Shopping list (failed cards without their libraries or internet),
# and the location it asks for is in configuration.yaml already.
ONBOARDING_DONE = ["core_config", "analytics", "integration"]


def _http_settings_in_storage(python: Path) -> bool:
    """Return True if the Home Assistant of this venv's Python keeps its HTTP settings in storage.

    Such versions take `http:` from YAML once, raise a "deprecated YAML" repair for it and ask to confirm the
    taken-over settings; older ones (2026.3) read only YAML. Found without importing Home Assistant.
    """
    if python == Path(sys.executable):
        spec = importlib.util.find_spec("homeassistant")
        packages = list(spec.submodule_search_locations or []) if spec else []
    else:  # another release's venv (hass_python)
        packages = list(
            python.parent.parent.glob("lib/python*/site-packages/homeassistant")
        )
    if not packages:
        return False
    http_config = Path(packages[0], "components/http/config.py")
    return http_config.exists() and "yaml_migration_done" in http_config.read_text()


class HassError(RuntimeError):
    """Home Assistant did not do what was asked."""


def _write_store(path: Path, key: str, version: int, data: dict[str, Any]) -> None:
    """Write a Home Assistant storage file (.storage/<key>)."""
    path.write_text(
        json.dumps({"version": version, "minor_version": 1, "key": key, "data": data})
    )


class HassServer:
    """A `hass` process with `config_dir` as its configuration directory."""

    def __init__(self, config_dir: Path, port: int, python: Path | None = None) -> None:
        """Prepare (but do not start) the process; `python` is the venv's Python to run it with (see hass_python)."""
        self.config_dir = config_dir
        self.port = port
        self.python = python or Path(sys.executable)
        self.url = f"http://127.0.0.1:{port}"
        self.token: str | None = None
        # Kept for the browser check: the frontend keeps both tokens in its session.
        self.refresh_token: str | None = None
        self.process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None
        self._log: Any = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """Return the HTTP session (created on start)."""
        assert self._session is not None
        return self._session

    def _prepare_config(self) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        storage = self.config_dir / ".storage"
        storage.mkdir(exist_ok=True)
        http = {"server_host": ["127.0.0.1"], "server_port": self.port}
        in_storage = _http_settings_in_storage(self.python)
        if in_storage:
            # Version 1 of the store: Home Assistant migrates it to its current form on start.
            _write_store(storage / "http", "http", 1, http)
        onboarding = storage / "onboarding"
        if not onboarding.exists():
            _write_store(onboarding, "onboarding", 4, {"done": ONBOARDING_DONE})
        config = self.config_dir / "configuration.yaml"
        text = CONFIGURATION_YAML.format(
            http="" if in_storage else HTTP_YAML.format(port=self.port)
        )
        if not config.exists() or config.read_text() != text:
            config.write_text(text)
        link = self.config_dir / "custom_components"
        target = REPO / "custom_components"
        if link.is_symlink() and link.resolve() != target:
            link.unlink()
        if not link.exists():
            link.symlink_to(target, target_is_directory=True)

    async def start(self, timeout: float = 180.0) -> None:
        """Start `hass` and wait until its HTTP API answers."""
        self._prepare_config()
        self._log = (self.config_dir / "hass.stdout.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            self.python,
            "-m",
            "homeassistant",
            "--config",
            str(self.config_dir),
            "--skip-pip",
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        self._session = aiohttp.ClientSession()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.process.returncode is not None:
                raise HassError(
                    f"hass exited with {self.process.returncode}; see {self.config_dir}/home-assistant.log"
                )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self.session.get(
                    f"{self.url}/api/onboarding", timeout=aiohttp.ClientTimeout(total=2)
                ) as r:
                    if r.status in (200, 404):
                        return
            await asyncio.sleep(0.5)
        raise HassError(f"hass did not answer within {timeout:.0f} s")

    async def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                await self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    # --- authentication -----------------------------------------------------------------------------------------

    async def _token_from_code(self, code: str) -> str:
        async with self.session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": CLIENT_ID,
            },
        ) as resp:
            if resp.status != 200:
                raise HassError(
                    f"token exchange failed: {resp.status} {await resp.text()}"
                )
            tokens = await resp.json()
            self.refresh_token = tokens.get("refresh_token")
            return str(tokens["access_token"])

    async def onboard_or_login(self, username: str, password: str) -> str:
        """Finish onboarding with this owner account, or log in if onboarding is done; return an access token."""
        async with self.session.get(f"{self.url}/api/onboarding") as resp:
            steps = (
                {s["step"]: s["done"] for s in await resp.json()}
                if resp.status == 200
                else {}
            )
        if steps and not steps.get("user", True):
            async with self.session.post(
                f"{self.url}/api/onboarding/users",
                json={
                    "client_id": CLIENT_ID,
                    "name": "Demo",
                    "username": username,
                    "password": password,
                    "language": "en",
                },
            ) as resp:
                if resp.status != 200:
                    raise HassError(
                        f"onboarding user failed: {resp.status} {await resp.text()}"
                    )
                self.token = await self._token_from_code(
                    (await resp.json())["auth_code"]
                )
        else:
            self.token = await self._login(username, password)
        return self.token

    async def _login(self, username: str, password: str) -> str:
        async with self.session.post(
            f"{self.url}/auth/login_flow",
            json={
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        ) as resp:
            flow = await resp.json()
        async with self.session.post(
            f"{self.url}/auth/login_flow/{flow['flow_id']}",
            json={"username": username, "password": password, "client_id": CLIENT_ID},
        ) as resp:
            result = await resp.json()
        if result.get("type") != "create_entry":
            raise HassError(f"login failed: {result}")
        return await self._token_from_code(result["result"])

    # --- REST and WebSocket -------------------------------------------------------------------------------------

    @property
    def headers(self) -> dict[str, str]:
        """Return the Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}

    async def set_options(self, entry_id: str, **changes: Any) -> None:
        """Save the entry's options form over REST with `changes`, every other field as the form suggests it.

        A changed field the form does not offer fails the test (the option is not shown for this camera).
        """
        form = await self.request(
            "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
        )
        values: dict[str, Any] = {}
        for field in form["data_schema"]:
            suggested = (field.get("description") or {}).get("suggested_value")
            if suggested is None:
                suggested = field.get("default")
            if suggested is not None:
                values[field["name"]] = suggested
        missing = set(changes) - set(values)
        assert not missing, f"the options form does not offer {missing}"
        values.update(changes)
        result = await self.request(
            "POST", f"/api/config/config_entries/options/flow/{form['flow_id']}", values
        )
        assert result["type"] == "create_entry", result

    async def request(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> Any:
        """Call the REST API and return the decoded JSON (or text)."""
        async with self.session.request(
            method, f"{self.url}{path}", json=body, headers=self.headers
        ) as resp:
            if resp.status >= 400:
                raise HassError(f"{method} {path}: {resp.status} {await resp.text()}")
            if resp.content_type == "application/json":
                return await resp.json()
            return await resp.read()

    async def ws(self, *messages: Mapping[str, Any]) -> list[Any]:
        """Send WebSocket commands in order and return their results."""
        results = []
        async with self.session.ws_connect(f"{self.url}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (auth := await ws.receive_json())["type"] != "auth_ok":
                raise HassError(f"websocket auth failed: {auth}")
            for ident, message in enumerate(messages, start=1):
                await ws.send_json({"id": ident, **message})
                while True:
                    reply = await ws.receive_json()
                    if reply.get("id") == ident and reply.get("type") == "result":
                        break
                if not reply["success"]:
                    raise HassError(f"{message['type']} failed: {reply['error']}")
                results.append(reply["result"])
        return results

    async def add_camera(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Add a camera through the integration's own config flow; return the created entry.

        `name` is typed into the confirm step; without it the flow's default stays (the camera's OSD title, or
        "Camera", numbered when taken).
        """
        result = await self.request(
            "POST", "/api/config/config_entries/flow", {"handler": "cgi_camera"}
        )
        user_input: dict[str, Any] = {
            "host": host,
            "port": port,
            "username": username,
            "password": password,
        }
        for _ in range(5):
            if result["type"] == "create_entry":
                return dict(result["result"])
            if result["type"] != "form":
                raise HassError(f"config flow ended with {result}")
            # "The scan found no new camera" opens the address form: information, not a failure.
            if errors := {
                field: error
                for field, error in (result.get("errors") or {}).items()
                if error != "no_cameras_found"
            }:
                raise HassError(f"config flow errors: {errors}")
            # user: the network scan's list (pick manual entry); connect: the address form; confirm: the preview
            # and the camera's name.
            body = {
                "user": {"device": "manual"},
                "connect": user_input,
                "confirm": {"name": name} if name else {},
            }.get(result["step_id"], {})
            result = await self.request(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", body
            )
        raise HassError(f"config flow did not finish: {result}")

    async def entries(self) -> list[dict[str, Any]]:
        """Return this integration's config entries."""
        entries = await self.request(
            "GET", "/api/config/config_entries/entry?domain=cgi_camera"
        )
        return list(entries)
