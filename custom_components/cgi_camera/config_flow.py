"""Config flow for the CGI IP Camera integration.

Every step that takes an address or credentials (manual entry after the network scan, DHCP discovery, reauth and
reconfigure) ends in one path: `_async_step_camera` reads DeviceInfo with the input and shows the form again with a
translated error, or `_async_store` keys the camera by MAC and then creates (after the named preview) or updates
the entry. The password a user typed is never sent back to the browser. Finding cameras is scan.py's, the preview
picture preview.py's.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
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
)
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.helpers.device_registry import format_mac

from .api import CgiError
from .camera import async_switch_default_stream
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
    STREAM_MAIN,
    STREAM_SUB,
)
from .preview import PREVIEW_URL, PREVIEWS, async_previews
from .scan import (
    CameraIdentity,
    FoundCamera,
    NotACamera,
    anonymous,
    async_describe,
    async_identify,
    async_scan,
    async_validate,
    is_host,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

    from .data import CgiCameraConfigEntry

# A DHCP flow checks the old and the new address; keep each check short.
DISCOVERY_TIMEOUT: Final = 5.0
MANUAL_ENTRY: Final = "manual"

# Optional: many of these cameras ship as admin with an empty password (the form would refuse an empty Required).
CREDENTIALS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_USERNAME, default=DEFAULT_USERNAME): selector.TextSelector(
            selector.TextSelectorConfig(autocomplete="username")
        ),
        vol.Optional(CONF_PASSWORD): selector.TextSelector(
            selector.TextSelectorConfig(
                type=selector.TextSelectorType.PASSWORD, autocomplete="current-password"
            )
        ),
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


class CgiCameraConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a camera: network scan or manual entry, DHCP discovery, reauth and reconfigure."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing known about the camera."""
        self._found: dict[str, FoundCamera] = {}
        self._host: str | None = None
        self._port: int = DEFAULT_PORT
        self._scan_empty = False
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
        known: Mapping[str, Any],
        suggested: Mapping[str, Any],
    ) -> ConfigFlowResult:
        """Validate the form's input on top of what the step already knows; store it, or show the form again.

        `known` holds what the form does not ask (a discovered address; a reconfigured entry's stored password,
        kept when the field is left empty). Neither `suggested` nor the input ever puts a password into the form.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            given = {**known, **user_input}
            host, port = str(given[CONF_HOST]).strip(), given[CONF_PORT]
            if not is_host(host):
                errors[CONF_HOST] = "invalid_host"
            elif port != int(port):
                errors[CONF_PORT] = "invalid_port"
            else:
                password = user_input.get(CONF_PASSWORD) or known.get(CONF_PASSWORD, "")
                data = {
                    CONF_HOST: host,
                    CONF_PORT: int(port),
                    CONF_USERNAME: given[CONF_USERNAME],
                    CONF_PASSWORD: password,
                }
                device, errors = await async_validate(self.hass, data)
                if device is not None:
                    return await self._async_store(device, data)
        elif self._scan_empty:
            errors = {"base": "no_cameras_found"}
        values = {**suggested, **(user_input or {})}
        values.pop(CONF_PASSWORD, None)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
            description_placeholders={"host": str(known.get(CONF_HOST))},
        )

    @callback
    def _abort_if_configured(self, updates: dict[str, Any] | None = None) -> None:
        """Abort if the camera (its MAC) has an entry, naming that entry; `updates` move it to a new address."""
        entries = self.hass.config_entries
        entry = entries.async_entry_for_domain_unique_id(DOMAIN, str(self.unique_id))
        title = {"title": entry.title if entry else ""}
        self._abort_if_unique_id_configured(updates, description_placeholders=title)

    async def _async_store(
        self, device: CameraIdentity, data: dict[str, Any]
    ) -> ConfigFlowResult:
        """Key the camera by MAC: update the reauthenticated or reconfigured entry, or go on to name a new one."""
        await self.async_set_unique_id(device.mac, raise_on_progress=False)
        if self.source in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            self._abort_if_unique_id_mismatch()
            entry: ConfigEntry = (
                self._get_reauth_entry()
                if self.source == SOURCE_REAUTH
                else self._get_reconfigure_entry()
            )
            return self.async_update_reload_and_abort(entry, data_updates=data)
        self._abort_if_configured(
            {CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
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
            if found := self._found.get(user_input.get(CONF_DEVICE, MANUAL_ENTRY)):
                self._host, self._port = found.host, found.port
            return await self.async_step_connect()
        configured = self._async_current_ids(include_ignore=False)
        hosts = {e.data.get(CONF_HOST) for e in self._async_current_entries(False)}
        self._found = {
            found.key: found
            for found in await async_scan(self.hass)
            if found.mac not in configured and found.host not in hosts
        }
        if not self._found:
            self._scan_empty = True  # the address form says that the scan found nothing
            return await self.async_step_connect()
        options = [
            selector.SelectOptionDict(value=key, label=found.label)
            for key, found in self._found.items()
        ]
        options.append(
            selector.SelectOptionDict(value=MANUAL_ENTRY, label=MANUAL_ENTRY)
        )
        device = selector.SelectSelector(
            selector.SelectSelectorConfig(options=options, translation_key="device")
        )
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {vol.Optional(CONF_DEVICE, default=next(iter(self._found))): device}
            ),
        )

    async def async_step_connect(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for host, port and credentials."""
        suggested = {CONF_HOST: self._host, CONF_PORT: self._port}
        return await self._async_step_camera(
            "connect", CONNECTION_SCHEMA, user_input, {}, suggested
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
        """Find the default name and keep a snapshot under a fresh token."""
        assert self._device is not None
        taken = {entry.title for entry in self._async_current_entries()}
        self._name, image = await async_describe(self.hass, self._data, taken)
        if image is not None:
            self._preview_token = secrets.token_urlsafe(32)
            async_previews(self.hass)[self._preview_token] = image

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
        mac, ip = format_mac(discovery_info.macaddress), discovery_info.ip
        entry = await self.async_set_unique_id(mac)
        if entry and entry.source != SOURCE_IGNORE and entry.data.get(CONF_HOST) != ip:
            # Move the entry only if its old address is silent and `ip` answers with the same MAC.
            if await self._async_is_camera(entry.data, entry.data[CONF_HOST], mac):
                LOGGER.debug(
                    "DHCP: %s still answers at its address; ignoring %s", mac, ip
                )
            elif await self._async_is_camera(entry.data, ip, mac):
                self._abort_if_configured({CONF_HOST: ip})
            else:
                LOGGER.debug("DHCP: %s at %s is not the configured camera", mac, ip)
        self._abort_if_configured()
        # DHCP tells the address only: the camera is expected on the CGI API's default port.
        self._host, self._port = ip, DEFAULT_PORT
        try:
            await async_identify(
                self.hass, anonymous(ip, self._port), DISCOVERY_TIMEOUT
            )
        except NotACamera:
            return self.async_abort(reason="not_a_supported_camera")
        except CgiError:  # usually a 401: a camera that wants its password first
            pass
        # Named by its address, which the user recognises (the board ID means nothing to them).
        self.context["title_placeholders"] = {"name": ip}
        return await self.async_step_discovery_confirm()

    async def _async_is_camera(
        self, data: Mapping[str, Any], host: str, mac: str
    ) -> bool:
        """Return True if `host` answers with the stored credentials as the camera with `mac`."""
        try:
            info = await async_identify(
                self.hass, {**data, CONF_HOST: host}, DISCOVERY_TIMEOUT
            )
        except CgiError:  # silent, wrong password, not ours: all mean "not confirmed"
            return False
        return info.mac == mac

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask a discovered camera's credentials."""
        known = {CONF_HOST: self._host, CONF_PORT: self._port}
        return await self._async_step_camera(
            "discovery_confirm", CREDENTIALS_SCHEMA, user_input, known, {}
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
        data = self._get_reauth_entry().data
        known = {CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
        suggested = {CONF_USERNAME: data[CONF_USERNAME]}
        return await self._async_step_camera(
            "reauth_confirm", CREDENTIALS_SCHEMA, user_input, known, suggested
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port or credentials of the same camera (checked by MAC); an empty password keeps it."""
        data = self._get_reconfigure_entry().data
        return await self._async_step_camera(
            "reconfigure", CONNECTION_SCHEMA, user_input, data, data
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
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            options = {CONF_DEFAULT_STREAM: user_input[CONF_DEFAULT_STREAM]}
            for key, (low, high, kind) in OPTION_RANGES.items():
                if (value := user_input.get(key)) is None:
                    continue  # an empty RTSP port: the camera's own (NetPortInfo)
                if not low <= value <= high or kind(value) != value:
                    errors[key] = "out_of_range"
                    placeholders = {"min": str(low), "max": str(high)}
                options[key] = kind(value)
            if not errors:
                stream = options[CONF_DEFAULT_STREAM]
                async_switch_default_stream(self.hass, self.config_entry, stream)
                return self.async_create_entry(data=options)
        values = {**self.config_entry.options, **(user_input or {})}
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(OPTIONS_SCHEMA, values),
            errors=errors,
            description_placeholders=placeholders or None,
        )


# No min/max in the selectors: the flow checks the range and says what it is (the selector's error does not).
_NUMBER: Final = selector.NumberSelectorConfig(
    step="any", mode=selector.NumberSelectorMode.BOX
)


# Option: (lowest, highest, type stored).
OPTION_RANGES: Final[dict[str, tuple[int, int, type]]] = {
    CONF_RTSP_PORT: (1, 65535, int),
    CONF_PTZ_WATCHDOG: (1, 120, float),
}
OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_DEFAULT_STREAM, default=STREAM_MAIN): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[STREAM_MAIN, STREAM_SUB], translation_key=CONF_DEFAULT_STREAM
            )
        ),
        vol.Optional(CONF_RTSP_PORT): selector.NumberSelector(_NUMBER),
        vol.Required(
            CONF_PTZ_WATCHDOG, default=DEFAULT_PTZ_WATCHDOG
        ): selector.NumberSelector(_NUMBER | {"unit_of_measurement": "s"}),
    }
)
