"""Fix flows for the repair issues of checks.py: factory password, ONVIF switched off, wrong clock.

Each flow works on a loaded entry and changes the camera through the documented calls (docs/wire-decisions.md
"Repairs"); none leaves the camera in a state Home Assistant cannot log in to.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers import issue_registry as ir, selector
from homeassistant.util import dt as dt_util

from .api import AuthenticationFailed, CgiCamera, CgiError, ResultCodeError
from .checks import (
    FACTORY_PASSWORDS,
    ISSUE_CLOCK,
    ISSUE_DEFAULT_PASSWORD,
    ISSUE_ONVIF_DISABLED,
    PROTOCOL_KEY,
    TIME_KEY,
    document_zone,
    format_offset,
    issue_id,
    local_offset,
)
from .compat import vol
from .const import DOMAIN, LOGGER, REQUEST_TIMEOUT
from .scan import client

if TYPE_CHECKING:
    # Only an annotation: Home Assistant 2026.3's repairs component does not export it yet.
    from homeassistant.components.repairs import RepairsFlowResult
    from homeassistant.core import HomeAssistant

    from .data import CgiCameraConfigEntry

# A new password: 6 to 32 visible ASCII characters (docs/wire-decisions.md "Repairs"). The camera keeps it in a
# fixed-size buffer and its web page cannot type everything; 32 is the longest the document's users take.
PASSWORD_LENGTH: Final = (6, 32)

_NEW_PASSWORD_SELECTOR: Final = selector.TextSelector(
    selector.TextSelectorConfig(
        type=selector.TextSelectorType.PASSWORD, autocomplete="new-password"
    )
)
PASSWORD_SCHEMA: Final = vol.Schema(
    {
        vol.Required("new_password"): _NEW_PASSWORD_SELECTOR,
        vol.Required("confirm_password"): _NEW_PASSWORD_SELECTOR,
    }
)
NTP_SCHEMA: Final = vol.Schema({vol.Required("ntp_server"): selector.TextSelector()})


def password_problem(new: str, confirm: str) -> str | None:
    """Return the form error of a new password, or None when it can be sent."""
    if new != confirm:
        return "password_mismatch"
    if new in FACTORY_PASSWORDS:
        return "password_factory"
    low, high = PASSWORD_LENGTH
    if not low <= len(new) <= high or not all("!" <= c <= "~" for c in new):
        return "password_invalid"
    return None


def _submitted(user_input: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the form's input; None when the step is only being opened.

    The repairs flow manager opens the first step with `{"issue_id": ...}` as input (a fallback it keeps for older
    custom integrations), which is no submission.
    """
    if user_input is None or set(user_input) == {"issue_id"}:
        return None
    return user_input


class _EntryRepairFlow(RepairsFlow):
    """A fix flow for one config entry, which must be loaded."""

    def __init__(self, entry_id: str) -> None:
        """Remember the entry."""
        self.entry_id = entry_id

    @property
    def entry(self) -> CgiCameraConfigEntry | None:
        """Return the loaded entry, or None."""
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        return cast("CgiCameraConfigEntry", entry)

    def _placeholders(self) -> dict[str, str]:
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id)
        placeholders = dict(issue.translation_placeholders or {}) if issue else {}
        if (entry := self.entry) is not None:
            placeholders.setdefault("title", entry.title)
        return placeholders


class PasswordRepairFlow(_EntryRepairFlow):
    """Change a factory password on the camera, log in with the new one, only then store it in the entry."""

    def __init__(self, entry_id: str) -> None:
        """Prepare; the new password lives only in this flow until the camera accepts it."""
        super().__init__(entry_id)
        self._pending: str | None = None

    def _client(self, entry: CgiCameraConfigEntry, password: str) -> CgiCamera:
        return client(
            self.hass, {**entry.data, CONF_PASSWORD: password}, REQUEST_TIMEOUT
        )

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Ask for the new password twice, then change it on the camera."""
        user_input = _submitted(user_input)
        if (entry := self.entry) is None:
            return self.async_abort(reason="not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            new = str(user_input.get("new_password", ""))
            problem = password_problem(new, str(user_input.get("confirm_password", "")))
            if problem is not None:
                errors["base"] = problem
            elif (error := await self._async_change(entry, new)) is None:
                return await self._async_settle(entry)
            else:
                errors["base"] = error
        return self.async_show_form(
            step_id="init",
            data_schema=PASSWORD_SCHEMA,
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    async def _async_change(self, entry: CgiCameraConfigEntry, new: str) -> str | None:
        """Send ChangePassword (document §3.13.7); return a form error when the camera certainly kept the old one."""
        client = entry.runtime_data.client
        try:
            await client.set(
                "user",
                "ChangePassword",
                None,
                {
                    "UserName": entry.data[CONF_USERNAME],
                    "Password": entry.data[CONF_PASSWORD],
                    "NewPassword": new,
                },
            )
        except AuthenticationFailed:
            return "wrong_password"
        except ResultCodeError as err:
            LOGGER.debug("%s: password change refused: %s", entry.title, err)
            return "change_refused"
        except CgiError as err:
            # The request may have reached the camera: find out which password it has now.
            LOGGER.debug("%s: password change unanswered: %s", entry.title, err)
        self._pending = new
        return None

    async def async_step_verify(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Check again which password the camera takes (the step is shown after the camera did not answer)."""
        if (entry := self.entry) is None or self._pending is None:
            return self.async_abort(reason="not_loaded")
        return await self._async_settle(entry)

    def _verify_form(self, error: str) -> RepairsFlowResult:
        return self.async_show_form(
            step_id="verify",
            data_schema=vol.Schema({}),
            errors={"base": error},
            description_placeholders=self._placeholders(),
        )

    async def _async_settle(self, entry: CgiCameraConfigEntry) -> RepairsFlowResult:
        """Log in with the new password: store it if the camera takes it, else make sure the old one still works."""
        new = self._pending
        assert new is not None
        try:
            await self._client(entry, new).device_info()
        except AuthenticationFailed:
            pass
        except CgiError:
            return self._verify_form("cannot_connect")
        else:
            self._pending = None
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_PASSWORD: new}
            )
            LOGGER.info("%s: the camera's password was changed", entry.title)
            # The client, live motion and the stream hold the password: start them again with the new one.
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
            return self.async_create_entry(data={})
        try:
            await self._client(entry, entry.data[CONF_PASSWORD]).device_info()
        except CgiError:
            # Neither password is taken (or the camera went away just now): keep asking.
            return self._verify_form("unknown_state")
        self._pending = None
        return self.async_show_form(
            step_id="init",
            data_schema=PASSWORD_SCHEMA,
            errors={"base": "not_changed"},
            description_placeholders=self._placeholders(),
        )


class OnvifRepairFlow(_EntryRepairFlow):
    """Switch ONVIF on (net / NetProtocolInfo, document §3.9.4), then reload so live motion picks it up."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Confirm, then switch ONVIF on."""
        user_input = _submitted(user_input)
        if (entry := self.entry) is None:
            return self.async_abort(reason="not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            data = entry.runtime_data
            try:
                await data.client.set(
                    PROTOCOL_KEY.area, PROTOCOL_KEY.group, None, {"ONVIF": 1}
                )
            except ResultCodeError as err:
                LOGGER.debug("%s: switching ONVIF on refused: %s", entry.title, err)
                errors["base"] = "change_refused"
            except CgiError as err:
                LOGGER.debug("%s: switching ONVIF on failed: %s", entry.title, err)
                errors["base"] = "cannot_connect"
            else:
                # Live motion picks its source when it starts: a reload starts it on ONVIF events.
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=self._placeholders(),
        )


class ClockRepairFlow(_EntryRepairFlow):
    """Set the camera's time and zone from Home Assistant, or switch on NTP with a server the user picks."""

    def _placeholders(self) -> dict[str, str]:
        # The issue may have cleared meanwhile (the camera was fixed elsewhere): the texts still need every value.
        placeholders = super()._placeholders()
        placeholders.setdefault("ha_zone", format_offset(local_offset()))
        placeholders.setdefault("camera_zone", "?")
        placeholders.setdefault("minutes", "0")
        return placeholders

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Offer the two ways."""
        if self.entry is None:
            return self.async_abort(reason="not_loaded")
        return self.async_show_menu(
            step_id="init",
            menu_options=["set_time", "ntp"],
            description_placeholders=self._placeholders(),
        )

    def _zone_params(self, entry: CgiCameraConfigEntry) -> dict[str, int | str]:
        """TimeZone (and DaylightEnable off) when the camera can show Home Assistant's present offset."""
        data = entry.runtime_data
        params: dict[str, int | str] = {}
        zone = document_zone(local_offset())
        capability = data.capability("sys", "TimeInfo", "TimeZone")
        if zone is not None and (capability is None or capability.allows(zone)):
            params["TimeZone"] = zone
            if data.capability("sys", "TimeInfo", "DaylightEnable") is not None:
                # The offset sent already includes daylight saving time (checks.py re-checks it every poll).
                params["DaylightEnable"] = 0
        return params

    async def _async_set(
        self, entry: CgiCameraConfigEntry, params: dict[str, int | str]
    ) -> str | None:
        data = entry.runtime_data
        try:
            await data.client.set(TIME_KEY.area, TIME_KEY.group, None, params)
        except ResultCodeError as err:
            LOGGER.debug("%s: setting the clock refused: %s", entry.title, err)
            return "change_refused"
        except CgiError as err:
            LOGGER.debug("%s: setting the clock failed: %s", entry.title, err)
            return "cannot_connect"
        # Read TimeInfo again: the check (checks.py) clears or keeps the issue from the new reply.
        await data.coordinator.async_refresh_group(TIME_KEY)
        return None

    async def async_step_set_time(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Set the camera's clock (UTC) and time zone from Home Assistant's."""
        if (entry := self.entry) is None:
            return self.async_abort(reason="not_loaded")
        params: dict[str, int | str] = {
            "TimeMethod": 0,
            "CameraTime": int(dt_util.utcnow().timestamp()),
            **self._zone_params(entry),
        }
        if (error := await self._async_set(entry, params)) is None:
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="set_time",
            data_schema=vol.Schema({}),
            errors={"base": error},
            description_placeholders=self._placeholders(),
        )

    async def async_step_ntp(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Ask for the NTP server (an IPv4 address, as the document's NTPServerIP takes), then switch NTP on."""
        if (entry := self.entry) is None:
            return self.async_abort(reason="not_loaded")
        errors: dict[str, str] = {}
        server = ""
        if user_input is not None:
            server = str(user_input.get("ntp_server", "")).strip()
            try:
                address = ipaddress.IPv4Address(server)
            except ValueError:
                errors["ntp_server"] = "invalid_ntp_server"
            else:
                if address.is_unspecified or address.is_multicast:
                    errors["ntp_server"] = "invalid_ntp_server"
            if not errors:
                params: dict[str, int | str] = {
                    "TimeMethod": 1,
                    "NTPServerIP": server,
                    **self._zone_params(entry),
                }
                if (error := await self._async_set(entry, params)) is None:
                    return self.async_create_entry(data={})
                errors["base"] = error
        else:
            server = self._current_server(entry)
        return self.async_show_form(
            step_id="ntp",
            data_schema=self.add_suggested_values_to_schema(
                NTP_SCHEMA, {"ntp_server": server} if server else {}
            ),
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    @staticmethod
    def _current_server(entry: CgiCameraConfigEntry) -> str:
        """Return the camera's NTP server as a suggestion, when it has a usable one."""
        blocks = (entry.runtime_data.coordinator.data or {}).get(TIME_KEY)
        server = blocks[0].get_str("NTPServerIP") if blocks else None
        try:
            address = ipaddress.IPv4Address(server or "")
        except ValueError:
            return ""
        return "" if address.is_unspecified else str(address)


FLOWS: Final[dict[str, type[_EntryRepairFlow]]] = {
    ISSUE_DEFAULT_PASSWORD: PasswordRepairFlow,
    ISSUE_ONVIF_DISABLED: OnvifRepairFlow,
    ISSUE_CLOCK: ClockRepairFlow,
}


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id_: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """Return the fix flow of one of the entry's issues."""
    entry_id = str((data or {}).get("entry_id"))
    for kind, flow in FLOWS.items():
        if issue_id_ == issue_id(kind, entry_id):
            return flow(entry_id)
    msg = f"no fix flow for {issue_id_}"
    raise ValueError(msg)
