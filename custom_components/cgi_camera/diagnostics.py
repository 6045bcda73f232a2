"""Diagnostics: Home Assistant's async_redact_data by key, then the entry's own secrets wherever they appear in text."""

from __future__ import annotations

from dataclasses import asdict
from itertools import chain
import json
import re
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr

    from .api import Capabilities
    from .api.wire import GroupKey
    from .data import CgiCameraConfigEntry

# Keys whose values identify the camera, its owner or their network, wherever they appear; and every parameter
# of a polled group that _SENSITIVE_KEY matches (passwords, user names, mail and IP addresses, vendor variants).
TO_REDACT = {CONF_HOST, CONF_PASSWORD, CONF_USERNAME, "mac", "serial", "password"}
TO_REDACT |= {"SubnetMask", "Gateway", "DNSServer", "DNSServer2", "DDNSDomain"}
_SENSITIVE_KEY = re.compile(
    r"(?i:pass|pwd|psw|username|mail|ssid|mac$|serial)|IP\d*$|IPAddr|Addr$"
)


def _key(key: GroupKey) -> str:
    return f"{key.area}/{key.group}/{key.channel if key.channel is not None else '-'}"


def _capabilities(caps: Capabilities) -> dict[str, list[dict[str, Any]]]:
    """Return an area's capabilities as {group: [{param: {"type": ..., range or choices}}, ...]}."""
    blocks = {group: caps.blocks(group) for group in caps.groups}
    return {
        group: [
            {p: {"type": type(c).__name__, **asdict(c)} for p, c in b.items()}
            for b in found
        ]
        for group, found in blocks.items()
    }


def _secrets(entry: CgiCameraConfigEntry) -> list[str]:
    """Return the entry's secrets as they may appear inside any text (a host in a URL, a MAC in a comment)."""
    device = entry.runtime_data.device
    secrets = {entry.data.get(CONF_HOST), entry.data.get(CONF_PASSWORD)}
    secrets |= {entry.unique_id, device.serial, device.mac}
    if device.mac:
        pairs = device.mac.split(":")
        secrets |= {"".join(pairs), "-".join(pairs)}
    # Very short values would blank out unrelated text; the key-based redaction covers those.
    found = [s for s in secrets if isinstance(s, str) and len(s) >= 4]
    return sorted(found, key=len, reverse=True)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CgiCameraConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    data = entry.runtime_data
    coordinator = data.coordinator
    groups = {_key(key): blocks for key, blocks in (coordinator.data or {}).items()}
    diagnostics = {
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": dict(entry.options),
        },
        "device": {k: v for k, v in asdict(data.device).items() if k != "raw"},
        "channels": list(data.channels),
        "multi_channel": data.multi_channel,
        "rtsp_port": data.rtsp_port,
        "onvif_port": data.motion.onvif_port,
        "capabilities": {
            area: _capabilities(caps) for area, caps in data.capabilities.items()
        },
        # Per area and group: "query", "query-group", "get+document" or "none", and why better sources failed.
        "capability_sources": data.capability_sources,
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval": coordinator.fast_interval.total_seconds(),
            "slow_interval": coordinator.slow_interval.total_seconds(),
            "auth_failures": coordinator.auth_failures,
            "wanted_groups": [_key(key) for key in coordinator.wanted_groups],
            "stats": asdict(coordinator.stats),
            "groups": groups,
        },
        # Live motion: the source in use, and each source tried with why it failed.
        "motion": data.motion.diagnostics(),
    }
    names = {name for block in chain.from_iterable(groups.values()) for name in block}
    sensitive = {name for name in names if _SENSITIVE_KEY.search(name)}
    text = json.dumps(async_redact_data(diagnostics, TO_REDACT | sensitive))
    # Secrets inside other values, and any value that is exactly the user name (an OSD title, say).
    for s in _secrets(entry):
        text = re.sub(
            re.escape(json.dumps(s)[1:-1]), REDACTED, text, flags=re.IGNORECASE
        )
    if username := entry.data.get(CONF_USERNAME):
        text = text.replace(json.dumps(username), json.dumps(REDACTED))
    return dict(json.loads(text))


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: CgiCameraConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Return diagnostics for a device: the entry's, plus which device (camera or channel) it is."""
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    suffixes = [i.rsplit("_ch", 1)[1] for _, i in device.identifiers if "_ch" in i]
    diagnostics["device_entry"] = {
        "channel": next((int(s) for s in suffixes if s.isdigit()), None),
        "model": device.model,
        "sw_version": device.sw_version,
        "disabled": device.disabled,
    }
    return diagnostics
