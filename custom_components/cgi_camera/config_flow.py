"""Config flow for the CGI IP Camera integration.

Every step that takes an address or credentials (manual entry after the network scan, DHCP discovery, reauth and
reconfigure) ends in one path: `_async_step_camera` reads DeviceInfo with the input and shows the form again with a
translated error, or `_async_store` keys the camera by MAC and then creates (after the named preview) or updates
the entry. The password a user typed is never sent back to the browser.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import ipaddress
import re
import secrets
from typing import TYPE_CHECKING, Any, Final, override

from aiohttp import web
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import (
    CONF_DEVICE,
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    Platform,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, selector
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
    NotFound,
    NotSupported,
)
from .api.wsdiscovery import Responder, probe
from .compat import vol
from .const import (
    CONF_DEFAULT_STREAM,
    CONF_PTZ_WATCHDOG,
    CONF_RTSP_PORT,
    DEFAULT_PORT,
    DEFAULT_PTZ_WATCHDOG,
    DEFAULT_USERNAME,
    DOMAIN,
    LOGGER,
    REQUEST_TIMEOUT,
    STREAM_MAIN,
    STREAM_SUB,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

    from .data import CgiCameraConfigEntry

# Probe wait + CGI confirmation stay under 3 s so opening the flow never feels stuck.
SCAN_PROBE_TIMEOUT: Final = 1.5
SCAN_VERIFY_TIMEOUT: Final = 1.2
# A DHCP flow checks the old and the new address; keep each check short.
DISCOVERY_TIMEOUT: Final = 5.0
# The OSD title these cameras leave the factory with; a camera still showing it has not been named by its owner.
FACTORY_OSD_TITLE: Final = "HD-IPC"

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


# A DNS name (labels of letters, digits, hyphens; underscores as some routers hand them out) or an IP address.
_HOSTNAME: Final = re.compile(
    r"(?=.{1,253}\.?$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?",
    re.IGNORECASE,
)


def _is_host(text: str) -> bool:
    """Return whether `text` is a bare host name or IP address.

    A scheme, port, path or user name in it would change the URL the credentials are sent to.
    """
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return bool(_HOSTNAME.fullmatch(text))
    return True


def _address(host: str, port: int) -> str:
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
        address = _address(self.host, self.port)
        return f"{self.model} ({address})" if self.model else address


def _client(
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


def _anonymous(host: str, port: int) -> dict[str, Any]:
    """Return connection data without credentials (scan and discovery ask before they know the password)."""
    return {CONF_HOST: host, CONF_PORT: port, CONF_USERNAME: "", CONF_PASSWORD: ""}


async def _async_device_info(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    request_timeout: float = REQUEST_TIMEOUT,
) -> CameraIdentity:
    """Read DeviceInfo; raise NotACamera when the reply is not this API or lacks the identity we key on."""
    try:
        info = await _client(hass, data, request_timeout).device_info()
    except (MalformedReply, NotSupported, NotFound) as err:
        # Any other web server: a 404, an HTML page, a redirect to its login page.
        raise NotACamera from err
    if not info.mac or not info.device_id:
        raise NotACamera
    return CameraIdentity(info.device_id, format_mac(info.mac), info.firmware or "")


async def _async_validate(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[CameraIdentity | None, dict[str, str]]:
    """Read DeviceInfo with the user's input; return it, or the form errors."""
    try:
        return await _async_device_info(hass, data), {}
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


async def _async_identify(
    hass: HomeAssistant, host: str, port: int
) -> FoundCamera | None:
    """Ask a scanned address for DeviceInfo without credentials: a MAC confirms it, a 401 marks a camera too."""
    try:
        info = await _async_device_info(
            hass, _anonymous(host, port), SCAN_VERIFY_TIMEOUT
        )
    except AuthenticationFailed:
        return FoundCamera(host, port)
    except Exception:  # noqa: BLE001 - anything else means "not one of ours"; a scan never fails the flow
        return None
    return FoundCamera(host, port, info.model, info.mac)


async def async_scan(hass: HomeAssistant) -> list[FoundCamera]:
    """Find cameras with a WS-Discovery probe and confirm each through the CGI API (≤ 3 s, never raises)."""
    try:
        responders: list[Responder] = await probe(SCAN_PROBE_TIMEOUT)
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
        *(_async_identify(hass, host, port) for host, port in candidates)
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


_PASSWORD_SELECTOR: Final = selector.TextSelector(
    selector.TextSelectorConfig(
        type=selector.TextSelectorType.PASSWORD, autocomplete="current-password"
    )
)
_USERNAME_SELECTOR: Final = selector.TextSelector(
    selector.TextSelectorConfig(autocomplete="username")
)
# Optional: many of these cameras ship as admin with an empty password (the form would refuse an empty Required).
CREDENTIALS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_USERNAME, default=DEFAULT_USERNAME): _USERNAME_SELECTOR,
        vol.Optional(CONF_PASSWORD): _PASSWORD_SELECTOR,
    }
)
CONNECTION_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_HOST): selector.TextSelector(),
        vol.Required(CONF_PORT, default=DEFAULT_PORT): selector.NumberSelector(
            selector.NumberSelectorConfig(
                min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX
            )
        ),
    }
).extend(CREDENTIALS_SCHEMA.schema)


def _default_name(
    osd_title: str | None, device: CameraIdentity, host: str, port: int
) -> str:
    """Return the camera's own OSD title when its owner set one, else "model (address)"."""
    if osd_title and (title := osd_title.strip()) and title != FACTORY_OSD_TITLE:
        return title
    return f"{device.model} ({_address(host, port)})"


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
        self._name = ""
        self._preview_token: str | None = None

    @staticmethod
    @callback
    @override
    def async_get_options_flow(
        config_entry: CgiCameraConfigEntry,
    ) -> CgiCameraOptionsFlow:
        """Return the options flow."""
        return CgiCameraOptionsFlow()

    # --- the one validate-and-store path ----------------------------------------------------------------------

    async def _async_step_camera(
        self,
        step_id: str,
        schema: vol.Schema,
        user_input: dict[str, Any] | None,
        *,
        known: Mapping[str, Any],
        suggested: Mapping[str, Any],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Validate the form's input on top of what the step already knows; store it, or show the form again.

        `known` holds what the form does not ask (a discovered address; a reconfigured entry's stored password,
        kept when the field is left empty). Neither `suggested` nor the input ever puts a password into the form.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            given = {**known, **user_input}
            host, port = str(given[CONF_HOST]).strip(), given[CONF_PORT]
            if not _is_host(host):
                errors[CONF_HOST] = "invalid_host"
            elif port != int(port):
                errors[CONF_PORT] = "invalid_port"
            else:
                data = {
                    CONF_HOST: host,
                    CONF_PORT: int(port),
                    CONF_USERNAME: given[CONF_USERNAME],
                    CONF_PASSWORD: user_input.get(CONF_PASSWORD)
                    or known.get(CONF_PASSWORD, ""),
                }
                device, errors = await _async_validate(self.hass, data)
                if device is not None:
                    return await self._async_store(device, data)
        values = {**suggested, **(user_input or {})}
        values.pop(CONF_PASSWORD, None)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_store(
        self, device: CameraIdentity, data: dict[str, Any]
    ) -> ConfigFlowResult:
        """Key the camera by MAC: update the reauthenticated or reconfigured entry, or go on to name a new one."""
        await self.async_set_unique_id(device.mac, raise_on_progress=False)
        if self.source in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            self._abort_if_unique_id_mismatch()
            entry = (
                self._get_reauth_entry()
                if self.source == SOURCE_REAUTH
                else self._get_reconfigure_entry()
            )
            return self.async_update_reload_and_abort(entry, data_updates=data)
        self._abort_if_unique_id_configured(
            updates={CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
        )
        self._data, self._device = data, device
        await self._async_prepare_confirm()
        return await self.async_step_confirm()

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
        """Ask for host, port and credentials."""
        return await self._async_step_camera(
            "connect",
            CONNECTION_SCHEMA,
            user_input,
            known={},
            suggested={CONF_HOST: self._host, CONF_PORT: self._port},
        )

    # --- confirm with a snapshot preview and a name ------------------------------------------------------------

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the camera's picture and model, ask for its name; create the entry once the user confirms."""
        assert self._device is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            if name := user_input[CONF_NAME].strip():
                self._async_drop_preview()
                return self.async_create_entry(title=name, data=self._data)
            errors[CONF_NAME] = "name_required"
        if self._preview_token is not None:
            preview = f"![preview]({PREVIEW_URL.format(token=self._preview_token)})"
        else:
            preview = "_No preview available: the camera sent no picture._"
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema(
                {vol.Required(CONF_NAME, default=self._name): selector.TextSelector()}
            ),
            errors=errors,
            description_placeholders={
                "model": self._device.model,
                "host": self._data[CONF_HOST],
                "firmware": self._device.firmware,
                "preview": preview,
            },
        )

    async def _async_prepare_confirm(self) -> None:
        """Read the camera's OSD title for the default name and keep a snapshot under a fresh token."""
        assert self._device is not None
        client = _client(self.hass, self._data, REQUEST_TIMEOUT)
        try:
            title = (await client.get("image", "OSDInfo", 1)).get("TextOSDTitle")
            osd_title = None if title is None else str(title)
        except CgiError as err:
            LOGGER.debug("No OSD title from %s: %s", self._data[CONF_HOST], err)
            osd_title = None
        self._name = _default_name(
            osd_title, self._device, self._data[CONF_HOST], self._data[CONF_PORT]
        )
        if self._name in {entry.title for entry in self._async_current_entries()}:
            # Two cameras showing one OSD title: the address tells them apart.
            self._name = _default_name(
                None, self._device, self._data[CONF_HOST], self._data[CONF_PORT]
            )
        try:
            image = await client.snapshot(1)
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

        # DHCP tells the address only: the camera is expected on the CGI API's default port.
        self._host, self._port = ip, DEFAULT_PORT
        try:
            info = await _async_device_info(
                self.hass, _anonymous(ip, DEFAULT_PORT), DISCOVERY_TIMEOUT
            )
        except NotACamera:
            return self.async_abort(reason="not_a_supported_camera")
        except CgiError:  # usually a 401: the IP is a fine name then
            name = ip
        else:
            name = info.model
        self.context["title_placeholders"] = {"name": name}
        return await self.async_step_discovery_confirm()

    async def _async_follow_new_address(
        self, data: Mapping[str, Any], mac: str, ip: str
    ) -> None:
        """Move the entry to `ip` only if its old address is silent and `ip` answers with the same MAC."""

        async def _same_camera(host: str) -> bool:
            try:
                info = await _async_device_info(
                    self.hass, {**data, CONF_HOST: host}, DISCOVERY_TIMEOUT
                )
            except (
                CgiError
            ):  # silent, wrong password, not ours: all mean "not confirmed"
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
        return await self._async_step_camera(
            "discovery_confirm",
            CREDENTIALS_SCHEMA,
            user_input,
            known={CONF_HOST: self._host, CONF_PORT: self._port},
            suggested={},
            placeholders={"host": self._host},
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
        return await self._async_step_camera(
            "reauth_confirm",
            CREDENTIALS_SCHEMA,
            user_input,
            known={CONF_HOST: entry.data[CONF_HOST], CONF_PORT: entry.data[CONF_PORT]},
            suggested={CONF_USERNAME: entry.data[CONF_USERNAME]},
            placeholders={"host": entry.data[CONF_HOST]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port or credentials of the same camera (checked by MAC); an empty password keeps it."""
        entry = self._get_reconfigure_entry()
        return await self._async_step_camera(
            "reconfigure",
            CONNECTION_SCHEMA,
            user_input,
            known=entry.data,
            suggested=entry.data,
        )


class CgiCameraOptionsFlow(OptionsFlowWithReload):
    """Default stream, RTSP port and the PTZ watchdog: one form, whether or not the camera is set up.

    Polling intervals are the integration's to choose (docs/architecture.md); PTZ speed and step duration are PTZ
    number entities (their one source of truth).
    """

    config_entry: CgiCameraConfigEntry

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options; a new default stream switches which camera entities are enabled."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            options: dict[str, Any] = {
                CONF_DEFAULT_STREAM: user_input[CONF_DEFAULT_STREAM]
            }
            for key, (low, high, kind) in OPTION_RANGES.items():
                if (value := user_input.get(key)) is None:
                    continue  # an empty RTSP port: the camera's own (NetPortInfo)
                if not low <= value <= high or kind(value) != value:
                    errors[key] = "out_of_range"
                    placeholders = {"min": str(low), "max": str(high)}
                options[key] = kind(value)
            if not errors:
                _async_switch_default_stream(
                    self.hass, entry, options[CONF_DEFAULT_STREAM]
                )
                return self.async_create_entry(data=options)
        defaults = {
            CONF_DEFAULT_STREAM: STREAM_MAIN,
            CONF_PTZ_WATCHDOG: DEFAULT_PTZ_WATCHDOG,
        }
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, {**defaults, **entry.options, **(user_input or {})}
            ),
            errors=errors,
            description_placeholders=placeholders or None,
        )


@callback
def _async_switch_default_stream(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, stream: str
) -> None:
    """Enable the camera entities of `stream` that the integration disabled, and disable the other stream's.

    An entity the user disabled stays so. The camera platform reads the option only when it first creates an entity.
    """
    if stream == entry.options.get(CONF_DEFAULT_STREAM, STREAM_MAIN):
        return
    ent_reg = er.async_get(hass)
    for reg in er.async_entries_for_config_entry(ent_reg, entry.entry_id):
        if reg.domain != Platform.CAMERA:
            continue
        if reg.unique_id.endswith(f"_{stream}_stream"):
            if reg.disabled_by is er.RegistryEntryDisabler.INTEGRATION:
                ent_reg.async_update_entity(reg.entity_id, disabled_by=None)
        elif reg.disabled_by is None:
            ent_reg.async_update_entity(
                reg.entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
            )


def _number(unit: str | None = None) -> selector.NumberSelector:
    # No min/max in the selector: the flow checks the range and says what it is (the selector's error does not).
    config = selector.NumberSelectorConfig(
        step="any", mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


# Option: (lowest, highest, type stored).
OPTION_RANGES: Final[dict[str, tuple[int, int, type]]] = {
    CONF_RTSP_PORT: (1, 65535, int),
    CONF_PTZ_WATCHDOG: (1, 120, float),
}
OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_DEFAULT_STREAM): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[STREAM_MAIN, STREAM_SUB], translation_key=CONF_DEFAULT_STREAM
            )
        ),
        vol.Optional(CONF_RTSP_PORT): _number(),
        vol.Required(CONF_PTZ_WATCHDOG): _number("s"),
    }
)
