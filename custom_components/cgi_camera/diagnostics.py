"""Diagnostics for the CGI IP Camera integration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields, is_dataclass
import re
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr

    from .api import Capabilities
    from .api.wire import GroupKey
    from .coordinator import CgiCoordinator
    from .data import CgiCameraConfigEntry

# Keys whose values identify the camera, its owner or their network, wherever they appear.
TO_REDACT: frozenset[str] = frozenset(
    {
        CONF_HOST,
        CONF_PASSWORD,
        CONF_USERNAME,
        "unique_id",
        "mac",
        "Mac",
        "serial",
        "SerialNum",
        "serial_number",
        "SSID",
        "ssid",
        "password",
        "Password",
        "NewPassword",
        "UserName",
        "FromMail",
        "ToMail",
        "CcMail",
        "SMTPUsername",
        "SMTPPassword",
        "FTPUsername",
        "FTPPassword",
        "DDNSUserName",
        "DDNSPassword",
        "DDNSDomain",
        "DDNSServerAddr",
        "IPAddress",
        "SubnetMask",
        "Gateway",
        "DNSServer",
        "DNSServer2",
        "configuration_url",
        "connections",
        "identifiers",
    }
)
# Catch-all for parameters not listed above (vendor variants): passwords, user names, mail and IP addresses.
_SENSITIVE_KEY = re.compile(
    r"(?i:pass|pwd|psw|username|mail|ssid|mac$|serial)|IP\d*$|IPAddr|Addr$"
)


def _is_sensitive(key: str) -> bool:
    return key in TO_REDACT or _SENSITIVE_KEY.search(key) is not None


def _plain(value: Any) -> Any:
    """Convert API models (dataclasses, mappings, capabilities) to JSON-friendly values."""
    if is_dataclass(value) and not isinstance(value, type):
        plain = {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if f.name != "raw"
        }
        if not plain:
            return type(value).__name__
        return (
            {"type": type(value).__name__, **plain} if _is_capability(value) else plain
        )
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _is_capability(value: Any) -> bool:
    return type(value).__name__ in {"IntRange", "Choices", "ReadOnly", "FreeString"}


def _capabilities(caps: Capabilities) -> dict[str, list[Any]]:
    """Return an area's capabilities as {group: [block, ...]}."""
    return {
        group: [_plain(block) for block in caps.blocks(group)] for group in caps.groups
    }


def _key(key: GroupKey) -> str:
    return f"{key.area}/{key.group}/{key.channel if key.channel is not None else '-'}"


def _coordinator(coordinator: CgiCoordinator) -> dict[str, Any]:
    return {
        "last_update_success": coordinator.last_update_success,
        "update_interval": coordinator.fast_interval.total_seconds(),
        "slow_interval": coordinator.slow_interval.total_seconds(),
        "auth_failures": coordinator.auth_failures,
        "wanted_groups": [_key(key) for key in coordinator.wanted_groups],
        "stats": asdict(coordinator.stats),
        "groups": {
            _key(key): [_plain(block) for block in blocks]
            for key, blocks in (coordinator.data or {}).items()
        },
    }


def _secrets(entry: CgiCameraConfigEntry) -> list[str]:
    """Return literal values that must not appear anywhere in the output, longest first."""
    secrets: set[str] = set()
    for key in (CONF_HOST, CONF_PASSWORD):
        if isinstance(value := entry.data.get(key), str) and value:
            secrets.add(value)
    if entry.unique_id:
        secrets.add(entry.unique_id)
    device = getattr(getattr(entry, "runtime_data", None), "device", None)
    if device is not None:
        if serial := getattr(device, "serial", None):
            secrets.add(str(serial))
        if mac := getattr(device, "mac", None):
            hex_digits = re.sub(r"[^0-9a-fA-F]", "", str(mac))
            secrets.update({str(mac), hex_digits})
            pairs = [hex_digits[i : i + 2] for i in range(0, len(hex_digits), 2)]
            secrets.update({":".join(pairs), "-".join(pairs)})
    # Very short values would blank out unrelated text; the key-based redaction covers those.
    return sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)


def _scrub(value: Any, secrets: list[str], username: str | None) -> Any:
    """Replace secrets that survived the key-based redaction (e.g. a host inside a URL)."""
    if isinstance(value, Mapping):
        return {k: _scrub(v, secrets, username) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets, username) for v in value]
    if isinstance(value, str):
        if username and value == username:
            return REDACTED
        lowered = value.lower()
        for secret in secrets:
            if secret.lower() in lowered:
                value = re.sub(re.escape(secret), REDACTED, value, flags=re.IGNORECASE)
                lowered = value.lower()
    return value


def _redact(data: Any, entry: CgiCameraConfigEntry) -> Any:
    redacted = _redact_keys(async_redact_data(data, TO_REDACT))
    return _scrub(redacted, _secrets(entry), entry.data.get(CONF_USERNAME))


def _redact_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: (
                REDACTED
                if isinstance(k, str) and _is_sensitive(k) and v not in (None, "")
                else _redact_keys(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_keys(v) for v in value]
    return value


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CgiCameraConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    data = entry.runtime_data
    title = entry.title
    host = entry.data.get(CONF_HOST)
    diagnostics: dict[str, Any] = {
        "entry": {
            "title": REDACTED if host and host in title else title,
            "data": dict(entry.data),
            "options": dict(entry.options),
        },
        "device": _plain(data.device),
        "channels": list(data.channels),
        "multi_channel": data.multi_channel,
        "rtsp_port": data.rtsp_port,
        # The RTSP path layout that answered at setup, and each stream's codec (api/rtsp.py).
        "rtsp": None if data.rtsp is None else data.rtsp.as_dict(),
        "onvif_port": data.motion.onvif_port,
        "capabilities": {
            area: _capabilities(caps) for area, caps in data.capabilities.items()
        },
        # Per area and group: "query", "query-group", "get+document" or "none", and why better sources failed.
        "capability_sources": data.capability_sources,
        "coordinator": _coordinator(data.coordinator),
        # Live motion: the source in use, and each source tried with why it failed.
        "motion": data.motion.diagnostics(),
    }
    # The title is kept when it does not contain the host; the key-based pass would blank it.
    entry_title = diagnostics["entry"].pop("title")
    result: dict[str, Any] = _redact(diagnostics, entry)
    result["entry"]["title"] = _scrub(entry_title, _secrets(entry), None)
    return result


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Return diagnostics for a device: the entry's, plus which device (camera or channel) it is."""
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    channel: int | None = None
    for _domain, identifier in device.identifiers:
        if "_ch" in identifier and (suffix := identifier.rsplit("_ch", 1)[1]).isdigit():
            channel = int(suffix)
    diagnostics["device_entry"] = {
        "channel": channel,
        "model": device.model,
        "sw_version": device.sw_version,
        "disabled": device.disabled,
    }
    return diagnostics
