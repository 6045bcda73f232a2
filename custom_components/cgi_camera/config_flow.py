"""Config flow for the CGI IP Camera integration."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import secrets
from typing import TYPE_CHECKING, Any, Final, override

from aiohttp import web
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import (
    CONF_DEVICE,
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .api import (
    AuthenticationFailed,
    CannotConnect,
    CgiCamera,
    CgiError,
    MalformedReply,
    NotSupported,
)
from .api.wsdiscovery import Responder, probe
from .compat import vol
from .const import (
    CONF_DEFAULT_STREAM,
    CONF_FAST_INTERVAL,
    CONF_PTZ_SPEED,
    CONF_PTZ_STEP,
    CONF_PTZ_WATCHDOG,
    CONF_RTSP_PORT,
    CONF_SLOW_INTERVAL,
    DEFAULT_FAST_INTERVAL,
    DEFAULT_PORT,
    DEFAULT_PTZ_SPEED,
    DEFAULT_PTZ_STEP,
    DEFAULT_PTZ_WATCHDOG,
    DEFAULT_SLOW_INTERVAL,
    DEFAULT_USERNAME,
    DOMAIN,
    FAST_INTERVAL_RANGE,
    LOGGER,
    REQUEST_TIMEOUT,
    SLOW_INTERVAL_RANGE,
    STREAM_MAIN,
    STREAM_SUB,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

    from .data import CgiCameraConfigEntry

# Where the WS-Discovery probe goes; tests point it at a loopback responder.
WS_DISCOVERY_TARGETS: tuple[tuple[str, int], ...] = (("239.255.255.250", 3702),)
# Probe wait + CGI confirmation stay under 3 s so opening the flow never feels stuck.
SCAN_PROBE_TIMEOUT: float = 1.5
SCAN_VERIFY_TIMEOUT: float = 1.2
# Port a DHCP-discovered camera is reached on (the CGI API's default; tests point it at an emulator).
DISCOVERY_PORT: int = DEFAULT_PORT
# A DHCP flow checks the old and the new address; keep each check short.
DISCOVERY_TIMEOUT: float = 5.0

MANUAL_ENTRY: Final = "manual"
PREVIEW_URL: Final = "/api/cgi_camera/preview/{token}"
PREVIEWS: HassKey[dict[str, bytes]] = HassKey(f"{DOMAIN}_previews")


class NotACamera(CgiError):
    """The device answered, but not with a usable DeviceInfo of this API."""


@dataclass(frozen=True, slots=True)
class CameraIdentity:
    """What the flow needs from DeviceInfo, with the model and MAC known to be present."""

    model: str
    mac: str  # format_mac form: the unique id
    firmware: str


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
        address = self.host if self.port == DEFAULT_PORT else self.key
        return f"{self.model} ({address})" if self.model else address


def _client(
    hass: HomeAssistant,
    host: str,
    port: int,
    username: str,
    password: str,
    request_timeout: float,
) -> CgiCamera:
    """Return a client on Home Assistant's shared session."""
    return CgiCamera(
        async_get_clientsession(hass),
        host,
        port,
        username,
        password,
        timeout=request_timeout,
    )


async def _async_device_info(
    hass: HomeAssistant,
    host: str,
    port: int,
    username: str,
    password: str,
    request_timeout: float = REQUEST_TIMEOUT,
) -> CameraIdentity:
    """Read DeviceInfo; raise NotACamera when the reply is not this API or lacks the identity we key on."""
    try:
        info = await _client(
            hass, host, port, username, password, request_timeout
        ).device_info()
    except (MalformedReply, NotSupported) as err:
        raise NotACamera from err
    if not info.mac or not info.device_id:
        raise NotACamera
    return CameraIdentity(info.device_id, format_mac(info.mac), info.firmware or "")


async def _async_validate(
    hass: HomeAssistant, host: str, port: int, username: str, password: str
) -> tuple[CameraIdentity | None, dict[str, str]]:
    """Read DeviceInfo with the user's input; return it, or the form errors."""
    try:
        return await _async_device_info(hass, host, port, username, password), {}
    except AuthenticationFailed:
        return None, {"base": "invalid_auth"}
    except NotACamera:
        return None, {"base": "not_a_supported_camera"}
    except CannotConnect:
        return None, {"base": "cannot_connect"}
    except CgiError as err:
        LOGGER.debug("Camera at %s rejected DeviceInfo: %s", host, err)
        return None, {"base": "cannot_connect"}
    except Exception:  # noqa: BLE001 - shown as "unknown" and logged with its traceback
        LOGGER.exception("Unexpected error validating camera at %s", host)
        return None, {"base": "unknown"}


async def _async_identify(
    hass: HomeAssistant, host: str, port: int, request_timeout: float
) -> FoundCamera | None:
    """Ask a scanned address for DeviceInfo without credentials: a MAC confirms it, a 401 marks a camera too."""
    try:
        info = await _async_device_info(hass, host, port, "", "", request_timeout)
    except AuthenticationFailed:
        return FoundCamera(host, port)
    except Exception:  # noqa: BLE001 - anything else means "not one of ours"; a scan never fails the flow
        return None
    return FoundCamera(host, port, info.model, info.mac)


async def async_scan(hass: HomeAssistant) -> list[FoundCamera]:
    """Find cameras with a WS-Discovery probe and confirm each through the CGI API (≤ 3 s, never raises)."""
    try:
        responders: list[Responder] = await probe(
            SCAN_PROBE_TIMEOUT, WS_DISCOVERY_TARGETS
        )
    except Exception:  # noqa: BLE001 - no multicast route, no permission...: offer manual entry only
        LOGGER.debug("WS-Discovery probe failed", exc_info=True)
        return []
    # Use the address the reply came from (cameras often put a wrong host in XAddrs), on port 80 and the XAddrs port.
    candidates: list[tuple[str, int]] = []
    for responder in responders:
        for port in (DEFAULT_PORT, *responder.ports):
            if (responder.address, port) not in candidates:
                candidates.append((responder.address, port))
    # Each check is bounded by the client's own timeout, so the whole scan stays under 3 s.
    results = await asyncio.gather(
        *(
            _async_identify(hass, host, port, SCAN_VERIFY_TIMEOUT)
            for host, port in candidates
        )
    )
    best: dict[str, FoundCamera] = {}
    # A confirmed reply beats a bare 401 on another port of the same host; otherwise candidate order (port 80 first).
    for found in sorted(
        (found for found in results if found is not None),
        key=lambda found: found.mac is None,
    ):
        best.setdefault(found.host, found)
    return list(best.values())


class PreviewView(HomeAssistantView):
    """Serve the snapshot a config flow shows before the camera is added, by an unguessable token."""

    url = PREVIEW_URL
    name = "api:cgi_camera:preview"
    # The frontend loads it as a markdown <img>, which sends no auth header; the token is the credential.
    requires_auth = False

    def __init__(self, previews: dict[str, bytes]) -> None:
        """Serve images from `previews`, a dict the config flows fill and empty."""
        self._previews = previews

    async def get(self, request: web.Request, token: str) -> web.Response:
        """Return the JPEG for `token`, or 404."""
        if (image := self._previews.get(token)) is None:
            return web.Response(status=404)
        return web.Response(
            body=image, content_type="image/jpeg", headers={"Cache-Control": "no-store"}
        )


@callback
def _async_previews(hass: HomeAssistant) -> dict[str, bytes]:
    """Return the preview store, registering the view on first use."""
    if (previews := hass.data.get(PREVIEWS)) is None:
        previews = hass.data[PREVIEWS] = {}
        hass.http.register_view(PreviewView(previews))
    return previews


def _credentials_schema(username: str = DEFAULT_USERNAME) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_USERNAME, default=username): selector.TextSelector(
                selector.TextSelectorConfig(autocomplete="username")
            ),
            vol.Required(CONF_PASSWORD): selector.TextSelector(
                selector.TextSelectorConfig(
                    type=selector.TextSelectorType.PASSWORD,
                    autocomplete="current-password",
                )
            ),
        }
    )


def _connection_schema(password_required: bool = True) -> vol.Schema:
    password_key = (
        vol.Required(CONF_PASSWORD)
        if password_required
        else vol.Optional(CONF_PASSWORD)
    )
    return vol.Schema(
        {
            vol.Required(CONF_HOST): selector.TextSelector(),
            vol.Required(CONF_PORT, default=DEFAULT_PORT): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX
                )
            ),
            vol.Required(
                CONF_USERNAME, default=DEFAULT_USERNAME
            ): selector.TextSelector(
                selector.TextSelectorConfig(autocomplete="username")
            ),
            password_key: selector.TextSelector(
                selector.TextSelectorConfig(
                    type=selector.TextSelectorType.PASSWORD,
                    autocomplete="current-password",
                )
            ),
        }
    )


class CgiCameraConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a camera: network scan or manual entry, DHCP discovery, reauth and reconfigure."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing known about the camera."""
        self._found: dict[str, FoundCamera] = {}
        self._host: str | None = None
        self._port: int = DEFAULT_PORT
        self._data: dict[str, Any] = {}
        self._device: CameraIdentity | None = None
        self._preview_token: str | None = None

    @staticmethod
    @callback
    @override
    def async_get_options_flow(
        config_entry: CgiCameraConfigEntry,
    ) -> CgiCameraOptionsFlow:
        """Return the options flow."""
        return CgiCameraOptionsFlow()

    # --- user: scan, then connection details -------------------------------------------------------------------

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the cameras a network scan found, plus manual entry."""
        if user_input is not None:
            if (
                found := self._found.get(user_input.get(CONF_DEVICE, MANUAL_ENTRY))
            ) is not None:
                self._host, self._port = found.host, found.port
            return await self.async_step_connect()

        configured = self._async_current_ids(include_ignore=False)
        hosts = {
            entry.data.get(CONF_HOST)
            for entry in self._async_current_entries(include_ignore=False)
        }
        self._found = {
            found.key: found
            for found in await async_scan(self.hass)
            if found.mac not in configured and found.host not in hosts
        }
        if not self._found:
            return await self.async_step_connect()
        options = [
            selector.SelectOptionDict(value=key, label=found.label)
            for key, found in self._found.items()
        ]
        options.append(
            selector.SelectOptionDict(value=MANUAL_ENTRY, label=MANUAL_ENTRY)
        )
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {
                    vol.Optional(
                        CONF_DEVICE, default=next(iter(self._found))
                    ): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=options, translation_key="device"
                        )
                    )
                }
            ),
        )

    async def async_step_connect(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for host, port and credentials; validate by reading DeviceInfo."""
        errors: dict[str, str] = {}
        if user_input is not None:
            host, port = user_input[CONF_HOST].strip(), int(user_input[CONF_PORT])
            username, password = user_input[CONF_USERNAME], user_input[CONF_PASSWORD]
            device, errors = await _async_validate(
                self.hass, host, port, username, password
            )
            if device is not None:
                await self.async_set_unique_id(device.mac, raise_on_progress=False)
                self._abort_if_unique_id_configured(
                    updates={CONF_HOST: host, CONF_PORT: port}
                )
                self._data = {
                    CONF_HOST: host,
                    CONF_PORT: port,
                    CONF_USERNAME: username,
                    CONF_PASSWORD: password,
                }
                self._device = device
                return await self.async_step_confirm()
        suggested = user_input or {CONF_HOST: self._host, CONF_PORT: self._port}
        return self.async_show_form(
            step_id="connect",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema(), suggested
            ),
            errors=errors,
        )

    # --- confirm with a snapshot preview ----------------------------------------------------------------------

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the camera's picture and model; create the entry once the user confirms."""
        assert self._device is not None
        if user_input is not None:
            self._async_drop_preview()
            return self.async_create_entry(title=self._device.model, data=self._data)
        await self._async_fetch_preview()
        if self._preview_token is not None:
            preview = f"![preview]({PREVIEW_URL.format(token=self._preview_token)})"
        else:
            preview = "_No preview available: the camera sent no picture._"
        return self.async_show_form(
            step_id="confirm",
            description_placeholders={
                "model": self._device.model,
                "host": self._data[CONF_HOST],
                "firmware": self._device.firmware,
                "preview": preview,
            },
        )

    async def _async_fetch_preview(self) -> None:
        """Take a snapshot and keep it in memory under a fresh token; on failure leave no preview."""
        try:
            image = await _client(
                self.hass,
                self._data[CONF_HOST],
                self._data[CONF_PORT],
                self._data[CONF_USERNAME],
                self._data[CONF_PASSWORD],
                REQUEST_TIMEOUT,
            ).snapshot(1)
        except Exception as err:  # noqa: BLE001 - the preview is optional: any failure just means "no picture"
            LOGGER.debug("No preview snapshot from %s: %r", self._data[CONF_HOST], err)
            return
        self._preview_token = secrets.token_urlsafe(32)
        _async_previews(self.hass)[self._preview_token] = image

    @callback
    def _async_drop_preview(self) -> None:
        if self._preview_token is not None:
            self.hass.data.get(PREVIEWS, {}).pop(self._preview_token, None)
            self._preview_token = None

    @callback
    @override
    def async_remove(self) -> None:
        """Forget the preview picture when the flow ends or is abandoned."""
        self._async_drop_preview()

    # --- DHCP discovery -----------------------------------------------------------------------------------------

    @override
    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle a camera seen on DHCP: follow a known camera's new address, or offer a new one."""
        mac = format_mac(discovery_info.macaddress)
        ip = discovery_info.ip
        entry = await self.async_set_unique_id(mac)
        if (
            entry is not None
            and entry.source != SOURCE_IGNORE
            and entry.data.get(CONF_HOST) != ip
        ):
            await self._async_follow_new_address(entry.data, mac, ip)
        self._abort_if_unique_id_configured()

        self._host, self._port = ip, DISCOVERY_PORT
        name = ip
        try:
            info = await _async_device_info(
                self.hass, ip, DISCOVERY_PORT, "", "", DISCOVERY_TIMEOUT
            )
        except Exception:  # noqa: BLE001 - usually a 401; the IP is a fine name then
            pass
        else:
            name = info.model
        self.context["title_placeholders"] = {"name": name}
        return await self.async_step_discovery_confirm()

    async def _async_follow_new_address(
        self, data: Mapping[str, Any], mac: str, ip: str
    ) -> None:
        """Move the entry to `ip` only if its old address is silent and `ip` answers with the same MAC."""
        port, username, password = (
            data[CONF_PORT],
            data[CONF_USERNAME],
            data[CONF_PASSWORD],
        )

        async def _same_camera(host: str) -> bool:
            try:
                info = await _async_device_info(
                    self.hass, host, port, username, password, DISCOVERY_TIMEOUT
                )
            except Exception:  # noqa: BLE001 - silent, wrong password, not ours: all mean "not confirmed"
                return False
            return info.mac == mac

        if await _same_camera(data[CONF_HOST]):
            LOGGER.debug(
                "DHCP: %s still answers at its configured address; ignoring %s", mac, ip
            )
            return
        if await _same_camera(ip):
            self._abort_if_unique_id_configured(updates={CONF_HOST: ip})
        LOGGER.debug(
            "DHCP: %s at %s is not the configured camera; not moving the entry", mac, ip
        )

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask a discovered camera's credentials."""
        assert self._host is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            username, password = user_input[CONF_USERNAME], user_input[CONF_PASSWORD]
            device, errors = await _async_validate(
                self.hass, self._host, self._port, username, password
            )
            if device is not None:
                await self.async_set_unique_id(device.mac, raise_on_progress=False)
                self._abort_if_unique_id_configured(
                    updates={CONF_HOST: self._host, CONF_PORT: self._port}
                )
                self._data = {
                    CONF_HOST: self._host,
                    CONF_PORT: self._port,
                    CONF_USERNAME: username,
                    CONF_PASSWORD: password,
                }
                self._device = device
                return await self.async_step_confirm()
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(), user_input or {}
            ),
            errors=errors,
            description_placeholders={"host": self._host},
        )

    # --- reauth and reconfigure ---------------------------------------------------------------------------------

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication after the camera rejected the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials and check them against the same camera."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            username, password = user_input[CONF_USERNAME], user_input[CONF_PASSWORD]
            device, errors = await _async_validate(
                self.hass,
                entry.data[CONF_HOST],
                entry.data[CONF_PORT],
                username,
                password,
            )
            if device is not None:
                await self.async_set_unique_id(device.mac)
                self._abort_if_unique_id_mismatch()
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={CONF_USERNAME: username, CONF_PASSWORD: password},
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(),
                {CONF_USERNAME: entry.data[CONF_USERNAME], **(user_input or {})},
            ),
            errors=errors,
            description_placeholders={"host": entry.data[CONF_HOST]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port or credentials of the same camera (checked by MAC)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            host, port = user_input[CONF_HOST].strip(), int(user_input[CONF_PORT])
            username = user_input[CONF_USERNAME]
            # An empty password field keeps the stored one (the form never shows it).
            password = user_input.get(CONF_PASSWORD) or entry.data[CONF_PASSWORD]
            device, errors = await _async_validate(
                self.hass, host, port, username, password
            )
            if device is not None:
                await self.async_set_unique_id(device.mac)
                self._abort_if_unique_id_mismatch()
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={
                        CONF_HOST: host,
                        CONF_PORT: port,
                        CONF_USERNAME: username,
                        CONF_PASSWORD: password,
                    },
                )
        suggested = {k: v for k, v in entry.data.items() if k != CONF_PASSWORD}
        if user_input is not None:
            suggested = {
                **suggested,
                **{k: v for k, v in user_input.items() if k != CONF_PASSWORD},
            }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema(password_required=False), suggested
            ),
            errors=errors,
        )


class CgiCameraOptionsFlow(OptionsFlowWithReload):
    """Polling intervals, default stream, RTSP port override and PTZ behaviour."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            data: dict[str, Any] = {
                CONF_FAST_INTERVAL: int(user_input[CONF_FAST_INTERVAL]),
                CONF_SLOW_INTERVAL: int(user_input[CONF_SLOW_INTERVAL]),
                CONF_DEFAULT_STREAM: user_input[CONF_DEFAULT_STREAM],
                CONF_PTZ_SPEED: int(user_input[CONF_PTZ_SPEED]),
                CONF_PTZ_STEP: float(user_input[CONF_PTZ_STEP]),
                CONF_PTZ_WATCHDOG: float(user_input[CONF_PTZ_WATCHDOG]),
            }
            # Left empty: the camera's own RTSP port (NetPortInfo) is used.
            if (rtsp_port := user_input.get(CONF_RTSP_PORT)) is not None:
                data[CONF_RTSP_PORT] = int(rtsp_port)
            return self.async_create_entry(data=data)

        defaults = {
            CONF_FAST_INTERVAL: DEFAULT_FAST_INTERVAL,
            CONF_SLOW_INTERVAL: DEFAULT_SLOW_INTERVAL,
            CONF_DEFAULT_STREAM: STREAM_MAIN,
            CONF_PTZ_SPEED: DEFAULT_PTZ_SPEED,
            CONF_PTZ_STEP: DEFAULT_PTZ_STEP,
            CONF_PTZ_WATCHDOG: DEFAULT_PTZ_WATCHDOG,
        }
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, {**defaults, **self.config_entry.options}
            ),
        )


def _seconds(low: float, high: float, step: float = 1) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=low,
            max=high,
            step=step,
            unit_of_measurement="s",
            mode=selector.NumberSelectorMode.BOX,
        )
    )


OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_FAST_INTERVAL): _seconds(*FAST_INTERVAL_RANGE),
        vol.Required(CONF_SLOW_INTERVAL): _seconds(*SLOW_INTERVAL_RANGE),
        vol.Required(CONF_DEFAULT_STREAM): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[STREAM_MAIN, STREAM_SUB], translation_key=CONF_DEFAULT_STREAM
            )
        ),
        vol.Optional(CONF_RTSP_PORT): selector.NumberSelector(
            selector.NumberSelectorConfig(
                min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX
            )
        ),
        vol.Required(CONF_PTZ_SPEED): selector.NumberSelector(
            selector.NumberSelectorConfig(
                min=1, max=8, step=1, mode=selector.NumberSelectorMode.SLIDER
            )
        ),
        vol.Required(CONF_PTZ_STEP): _seconds(0.1, 5, 0.1),
        vol.Required(CONF_PTZ_WATCHDOG): _seconds(1, 120),
    }
)
