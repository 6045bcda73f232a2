"""What a camera supports, kept in Home Assistant's storage so a restart does not ask again.

The 13 capability queries, the channel list, the RTSP and ONVIF ports (one NetPortInfo read) and the RTSP path
that answers there only change with the firmware, yet cost half of a setup's requests. They are stored per config entry with the key they are valid
for: the camera's MAC, its firmware version and CACHE_FORMAT. A stored entry for another key (new firmware, another
camera at the address, an older format) or one that cannot be read is ignored, as if there were none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store
from homeassistant.util.json import json_loads_object

from .api import Capabilities, Choices, FreeString, IntRange, ReadOnly, RtspCheck
from .api.capabilities import Capability, CapabilityBlock
from .api.discovery import NO_PARAMETERS
from .const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant

# Bump when what is cached, or how, changes: older stored entries are then ignored (the camera is asked again).
# 2: the ONVIF port. 3: the RTSP check (the path layout that answered, each stream's codec).
CACHE_FORMAT = 3
_STORAGE_VERSION = 1

type _Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CachedCapabilities:
    """What a setup learns from the capability queries."""

    capabilities: dict[str, Capabilities]
    channels: tuple[int, ...]
    # The RTSP and ONVIF ports come from one NetPortInfo read, else 554 and 8999 (__init__._async_camera_ports).
    rtsp_port: int
    onvif_port: int
    # Where each group's capabilities came from (api.discovery's as_dict), shown in diagnostics.
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Which RTSP path layout answered on rtsp_port, and each stream's codec (api/rtsp.py); None: not checked.
    rtsp: RtspCheck | None = None
    # Read from storage (not stored itself): a port may have changed on the camera since.
    from_storage: bool = False


def _capability_to_json(capability: Capability) -> _Json:
    if isinstance(capability, IntRange):
        return {"range": [capability.min, capability.max]}
    if isinstance(capability, Choices):
        return {"choices": list(capability.values)}
    if isinstance(capability, FreeString):
        return {"free": True}
    return {"read_only": True}


@lru_cache(maxsize=1024)
def _shared(capability: Capability) -> Capability:
    """Return the one instance of an equal capability (they are immutable; a camera holds hundreds, most alike)."""
    return capability


def _capability_from_json(data: _Json) -> Capability:
    if "range" in data:
        low, high = data["range"]
        return _shared(IntRange(int(low), int(high)))
    if "choices" in data:
        values = data["choices"]
        if not all(
            isinstance(v, int | str) and not isinstance(v, bool) for v in values
        ):
            raise TypeError("a choice is neither an int nor a string")
        return _shared(Choices(tuple(values)))
    if data.get("free"):
        return FreeString()
    if data.get("read_only"):
        return ReadOnly()
    raise ValueError("unknown capability")


def capabilities_to_json(capabilities: Capabilities) -> _Json:
    """Return `capabilities` as JSON-serializable data (every block of every group, in order)."""
    return {
        "area": capabilities.area,
        "blocks": [
            {
                "name": block.name,
                "caps": {name: _capability_to_json(cap) for name, cap in block.items()},
            }
            for group in capabilities.groups
            for block in capabilities.blocks(group)
        ],
    }


def capabilities_from_json(data: _Json) -> Capabilities:
    """Rebuild what capabilities_to_json returned (raises KeyError, TypeError or ValueError on other data)."""
    blocks = [
        CapabilityBlock(
            str(block["name"]),
            {
                str(name): _capability_from_json(cap)
                for name, cap in block["caps"].items()
            },
        )
        for block in data["blocks"]
    ]
    area = data["area"]
    return Capabilities(blocks, None if area is None else str(area))


def _without_empty_groups(area: str, capabilities: Capabilities) -> Capabilities:
    """Return `capabilities`; ValueError if a group holds a block without parameters.

    An older release stored an empty group reply (`<ImageInfo></ImageInfo>`) as "supported, nothing in it" (issue
    21): such a stored entry is not used, so the camera is asked again. Groups without parameters are exempt.
    """
    for group in capabilities.groups:
        if (area, group) not in NO_PARAMETERS and not all(capabilities.blocks(group)):
            raise ValueError("a stored group without parameters")
    return capabilities


@lru_cache(maxsize=256)
def _shared_capabilities(stored: bytes) -> Capabilities:
    return capabilities_from_json(json_loads_object(stored))


def shared_capabilities_from_json(data: _Json) -> Capabilities:
    """Return capabilities_from_json(data), one shared instance for equal data.

    Capabilities are immutable, and cameras of one model and firmware store the same ones: a hundred cameras hold
    one parsed copy per area instead of a hundred.
    """
    return _shared_capabilities(json_bytes(data))


def _key(mac: str, firmware: str | None) -> _Json:
    return {"mac": mac, "firmware": firmware, "format": CACHE_FORMAT}


class CapabilityCache:
    """The stored capabilities of one config entry."""

    def __init__(self, store: Store[_Json]) -> None:
        """Wrap the entry's store (see for_entry)."""
        self._store = store

    @classmethod
    def for_entry(cls, hass: HomeAssistant, entry_id: str) -> CapabilityCache:
        """Return the cache of config entry `entry_id` (one storage file per entry)."""
        return cls(
            Store[_Json](hass, _STORAGE_VERSION, f"{DOMAIN}.capabilities.{entry_id}")
        )

    async def async_load(
        self, mac: str, firmware: str | None
    ) -> CachedCapabilities | None:
        """Return what was stored for this camera and firmware, else None (nothing stored, or not usable)."""
        data = await self._store.async_load()
        if not isinstance(data, dict) or data.get("key") != _key(mac, firmware):
            return None
        try:
            return CachedCapabilities(
                capabilities={
                    str(area): _without_empty_groups(
                        str(area), shared_capabilities_from_json(caps)
                    )
                    for area, caps in data["capabilities"].items()
                },
                channels=tuple(int(channel) for channel in data["channels"]),
                rtsp_port=int(data["rtsp_port"]),
                sources=dict(data.get("sources", {})),
                onvif_port=int(data["onvif_port"]),
                rtsp=None
                if data["rtsp"] is None
                else RtspCheck.from_dict(data["rtsp"]),
                from_storage=True,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    async def async_save(
        self, mac: str, firmware: str | None, cached: CachedCapabilities
    ) -> None:
        """Store `cached` as valid for this camera and firmware."""
        await self._store.async_save(
            {
                "key": _key(mac, firmware),
                "capabilities": {
                    area: capabilities_to_json(caps)
                    for area, caps in cached.capabilities.items()
                },
                "channels": list(cached.channels),
                "rtsp_port": cached.rtsp_port,
                "sources": cached.sources,
                "onvif_port": cached.onvif_port,
                "rtsp": None if cached.rtsp is None else cached.rtsp.as_dict(),
            }
        )

    async def async_get_or_query(
        self,
        mac: str | None,
        firmware: str | None,
        query: Callable[[], Awaitable[CachedCapabilities]],
    ) -> CachedCapabilities:
        """Return what is stored for this camera and firmware, else `query()`'s answer, stored for next time.

        Without a MAC (firmware that does not report one) nothing is cached: the key would not tell cameras apart.
        """
        if mac is None:
            return await query()
        if (cached := await self.async_load(mac, firmware)) is not None:
            return cached
        cached = await query()
        await self.async_save(mac, firmware, cached)
        return cached

    async def async_invalidate(self) -> None:
        """Forget what was stored (the next setup asks the camera again)."""
        await self._store.async_remove()
