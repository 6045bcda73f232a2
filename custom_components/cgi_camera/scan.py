"""Finding and identifying cameras for the config flow: DeviceInfo read with given data, and the network scan.

`async_validate` turns the answer to a user's input into a form error; `async_describe` reads what the confirm step
shows (a default name and a snapshot). The scan sends a WS-Discovery probe (api/wsdiscovery.py) and confirms each responder through the CGI API, all within
3 s; it never raises (no multicast route, no permission: the flow offers manual entry).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import ipaddress
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    Platform,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.translation import async_get_translations

from .api import (
    AuthenticationFailed,
    CannotConnect,
    CgiCamera,
    CgiError,
    MalformedReply,
    NotFound,
    NotSupported,
)
from .api.wsdiscovery import probe
from .const import DEFAULT_PORT, LOGGER, REQUEST_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant

# Probe wait + CGI confirmation stay under 3 s so opening the flow never feels stuck.
SCAN_PROBE_TIMEOUT: Final = 1.5
SCAN_VERIFY_TIMEOUT: Final = 1.2
CAMERA_DOMAIN: Final = Platform.CAMERA.value
# The OSD title these cameras leave the factory with; a camera still showing it has not been named by its owner.
FACTORY_OSD_TITLE: Final = "HD-IPC"


class NotACamera(CgiError):
    """The device answered, but not with a usable DeviceInfo of this API."""


@dataclass(frozen=True, slots=True)
class CameraIdentity:
    """What the flow needs from DeviceInfo, with the model and MAC known to be present."""

    model: str
    mac: str  # format_mac form: the unique id
    firmware: str


def address(host: str, port: int) -> str:
    """Return "host", or "host:port" when the camera is not on the default port."""
    return host if port == DEFAULT_PORT else f"{host}:{port}"


@dataclass(frozen=True, slots=True)
class FoundCamera:
    """A camera the network scan found and the CGI API confirmed (or that asked for a password)."""

    host: str
    port: int
    model: str | None = None
    mac: str | None = None

    @property
    def key(self) -> str:
        """Return the selector value of this camera."""
        return f"{self.host}:{self.port}"

    @property
    def label(self) -> str:
        """Return the selector label: "model (ip)", or the IP when the camera wants a password first."""
        where = address(self.host, self.port)
        return f"{self.model} ({where})" if self.model else where


def client(
    hass: HomeAssistant, data: Mapping[str, Any], request_timeout: float
) -> CgiCamera:
    """Return a client for `data` (host, port, username, password) on Home Assistant's shared session."""
    return CgiCamera(
        async_get_clientsession(hass),
        data[CONF_HOST],
        data[CONF_PORT],
        data[CONF_USERNAME],
        data[CONF_PASSWORD],
        timeout=request_timeout,
    )


def anonymous(host: str, port: int) -> dict[str, Any]:
    """Return connection data without credentials (scan and discovery ask before they know the password)."""
    return {CONF_HOST: host, CONF_PORT: port, CONF_USERNAME: "", CONF_PASSWORD: ""}


async def async_identify(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    request_timeout: float = REQUEST_TIMEOUT,
) -> CameraIdentity:
    """Read DeviceInfo; raise NotACamera when the reply is not this API or lacks the identity we key on."""
    try:
        info = await client(hass, data, request_timeout).device_info()
    except (MalformedReply, NotSupported, NotFound) as err:
        # Any other web server: a 404, an HTML page, a redirect to its login page.
        raise NotACamera from err
    if not info.mac or not info.device_id:
        raise NotACamera
    return CameraIdentity(info.device_id, format_mac(info.mac), info.firmware or "")


async def _async_confirm(
    hass: HomeAssistant, host: str, port: int
) -> FoundCamera | None:
    """Ask a scanned address for DeviceInfo without credentials: a MAC confirms it, a 401 marks a camera too."""
    try:
        info = await async_identify(hass, anonymous(host, port), SCAN_VERIFY_TIMEOUT)
    except AuthenticationFailed:
        return FoundCamera(host, port)
    except Exception:  # noqa: BLE001 - anything else means "not one of ours"; a scan never fails the flow
        return None
    return FoundCamera(host, port, info.model, info.mac)


async def async_scan(hass: HomeAssistant) -> list[FoundCamera]:
    """Find cameras with a WS-Discovery probe and confirm each through the CGI API (≤ 3 s, never raises)."""
    try:
        responders = await probe(SCAN_PROBE_TIMEOUT)
    except Exception:  # noqa: BLE001 - no multicast route, no permission...: offer manual entry only
        LOGGER.debug("WS-Discovery probe failed", exc_info=True)
        return []
    # Use the address the reply came from (cameras often put a wrong host in XAddrs), on port 80 and the XAddrs port.
    candidates = list(
        dict.fromkeys(
            (responder.address, port)
            for responder in responders
            for port in (DEFAULT_PORT, *responder.ports)
        )
    )
    # Each check is bounded by the client's own timeout, so the whole scan stays under 3 s.
    results = await asyncio.gather(
        *(_async_confirm(hass, host, port) for host, port in candidates)
    )
    best: dict[str, FoundCamera] = {}
    # A confirmed reply beats a bare 401 on another port of the same host; otherwise candidate order (port 80 first).
    for found in sorted(filter(None, results), key=lambda found: found.mac is None):
        best.setdefault(found.host, found)
    return list(best.values())


# A DNS name (labels of letters, digits, hyphens; underscores as some routers hand them out) or an IP address.
_HOSTNAME: Final = re.compile(
    r"(?=.{1,253}\.?$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?",
    re.IGNORECASE,
)


def is_host(text: str) -> bool:
    """Return whether `text` is a bare host name or IP address.

    A scheme, port, path or user name in it would change the URL the credentials are sent to.
    """
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return bool(_HOSTNAME.fullmatch(text))
    return True


async def async_validate(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[CameraIdentity | None, dict[str, str]]:
    """Read DeviceInfo with the user's input; return it, or the form errors."""
    try:
        return await async_identify(hass, data), {}
    except AuthenticationFailed:
        return None, {"base": "invalid_auth"}
    except NotACamera:
        return None, {"base": "not_a_supported_camera"}
    except CannotConnect:
        return None, {"base": "cannot_connect"}
    except CgiError as err:
        LOGGER.debug("Camera at %s rejected DeviceInfo: %s", data[CONF_HOST], err)
        return None, {"base": "cannot_connect"}
    except Exception:  # noqa: BLE001 - shown as "unknown" and logged with its traceback
        LOGGER.exception("Unexpected error validating camera at %s", data[CONF_HOST])
        return None, {"base": "unknown"}


async def async_describe(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    taken: set[str],
) -> tuple[str, bytes | None]:
    """Return the camera's default name and a snapshot (None when it sends none) for the confirm step.

    The name is the camera's own OSD title when its owner set one and no entry in `taken` has it, else "Camera" in
    Home Assistant's language (the camera integration's own title), numbered from 2 when taken: short entity ids
    without the board ID or the address.
    """
    camera = client(hass, data, REQUEST_TIMEOUT)
    try:
        title = str((await camera.get("image", "OSDInfo", 1)).get("TextOSDTitle", ""))
    except CgiError as err:
        LOGGER.debug("No OSD title from %s: %s", data[CONF_HOST], err)
        title = ""
    name = title.strip()
    if name in {"", FACTORY_OSD_TITLE, *taken}:
        titles = await async_get_translations(
            hass, hass.config.language, "title", [CAMERA_DOMAIN]
        )
        base = titles.get(f"component.{CAMERA_DOMAIN}.title", "Camera")
        name = next(
            candidate
            for number in range(1, len(taken) + 2)
            if (candidate := base if number == 1 else f"{base} {number}") not in taken
        )
    try:
        return name, await camera.snapshot(1)
    except Exception as err:  # noqa: BLE001 - the preview is optional: any failure just means "no picture"
        LOGGER.debug("No preview snapshot from %s: %r", data[CONF_HOST], err)
        return name, None
