"""Diagnostics: Home Assistant's async_redact_data by key, then the entry's own secrets wherever they appear in text."""

from __future__ import annotations

from dataclasses import asdict
from itertools import chain
import json
import re
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.config_entries import ConfigEntryState
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


def _key(key: GroupKey) -> str:  # "area/group/channel", "-" for a device-wide group
    return f"{key.area}/{key.group}/{'-' if key.channel is None else key.channel}"


def _capabilities(caps: Capabilities) -> dict[str, list[dict[str, Any]]]:
    """Return an area's capabilities as {group: [{param: {"type": ..., range or choices}}, ...]}."""
    return {
        g: [
            {p: {"type": type(c).__name__} | asdict(c) for p, c in b.items()}
            for b in caps.blocks(g)
        ]
        for g in caps.groups
    }


def _secrets(entry: CgiCameraConfigEntry) -> list[str]:
    """Return the entry's secrets as they may appear inside any text (a host in a URL, a MAC in a comment)."""
    secrets = {entry.data.get(CONF_HOST), entry.data.get(CONF_PASSWORD)}
    secrets.add(entry.unique_id)
    if entry.state is ConfigEntryState.LOADED:
        secrets |= {entry.runtime_data.device.serial, entry.runtime_data.device.mac}
    for mac in [m for m in secrets if isinstance(m, str) and m.count(":") == 5]:
        secrets |= {mac.replace(":", ""), mac.replace(":", "-")}
    # Very short values would blank out unrelated text; the key-based redaction covers those.
    found = [s for s in secrets if isinstance(s, str) and len(s) >= 4]
    return sorted(found, key=len, reverse=True)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CgiCameraConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry; only the entry's while the camera is not set up (offline, reloading)."""
    described = {"title": entry.title, "state": entry.state.value}
    described |= {"data": dict(entry.data), "options": dict(entry.options)}
    if entry.state is not ConfigEntryState.LOADED:
        return _redacted(entry, {"entry": described}, set())
    data = entry.runtime_data
    coordinator = data.coordinator
    groups = {_key(key): blocks for key, blocks in (coordinator.data or {}).items()}
    diagnostics = {
        "entry": described,
        "device": {k: v for k, v in asdict(data.device).items() if k != "raw"},
        "channels": list(data.channels),
        "rtsp_port": data.rtsp_port,
        "rtsp": data.rtsp and data.rtsp.as_dict(),  # the path that answered, codecs
        "onvif_port": data.motion.onvif_port,
        "capabilities": {a: _capabilities(c) for a, c in data.capabilities.items()},
        "capability_sources": data.capability_sources,  # per group: source, and why
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval": coordinator.fast_interval.total_seconds(),
            "slow_interval": coordinator.slow_interval.total_seconds(),
            "auth_failures": coordinator.auth_failures,
            "wanted_groups": [_key(key) for key in coordinator.wanted_groups],
            "stats": asdict(coordinator.stats),
            "groups": groups,
        },
        "motion": data.motion.diagnostics(),  # the source in use, each tried and why it failed
    }
    names = {name for block in chain.from_iterable(groups.values()) for name in block}
    return _redacted(entry, diagnostics, {n for n in names if _SENSITIVE_KEY.search(n)})


def _redacted(
    entry: CgiCameraConfigEntry, diagnostics: dict[str, Any], sensitive: set[str]
) -> dict[str, Any]:
    """Redact by key (and the polled parameters in `sensitive`), then the entry's secrets inside any text."""
    text = json.dumps(async_redact_data(diagnostics, TO_REDACT | sensitive))
    # Secrets inside other values, and any value that is exactly the user name (an OSD title, say).
    if secrets := [re.escape(json.dumps(s)[1:-1]) for s in _secrets(entry)]:
        text = re.sub("|".join(secrets), REDACTED, text, flags=re.IGNORECASE)
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
