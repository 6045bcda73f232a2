"""Buttons: reboot, image settings reset, clock sync, SD card mount/unmount/format (plus PTZ buttons)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.util import dt as dt_util

from .api import SdOperation, SdStatus
from .api.wire import group_key
from .compat import ButtonDeviceClass
from .entity import CgiBaseEntity, has_group, has_sd_card_slot
from .errors import camera_errors
from .ptz_entities import ptz_buttons

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .api import ParamGroup
    from .data import CgiCameraConfigEntry, CgiCameraData

# The client serializes requests per camera, and each request's deadline includes that wait.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CgiButtonEntityDescription(ButtonEntityDescription):
    """An action on the camera: `press_fn` runs it for a channel (any channel, for a device-wide one)."""

    press_fn: Callable[[CgiCameraData, int], Awaitable[object]]
    supported_fn: Callable[[CgiCameraData, int], bool]
    device_wide: bool = True


async def _reboot(data: CgiCameraData, channel: int) -> None:
    await data.client.reboot()


async def _reset_image(data: CgiCameraData, channel: int) -> None:
    await data.client.set("camera", "ResetInfo", channel, {})
    # Every image and exposure setting just changed.
    for area, group in (
        ("camera", "BasicInfo"),
        ("camera", "ExposureInfo"),
        ("image", "ImageInfo"),
    ):
        await data.coordinator.async_refresh_group(group_key(area, group, channel))


async def _sync_clock(data: CgiCameraData, channel: int) -> None:
    """Set the camera's clock (UTC seconds) and its time zone offset from Home Assistant's."""
    now = dt_util.now()
    offset = now.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    params: dict[str, int | str] = {"TimeMethod": 0, "CameraTime": int(now.timestamp())}
    capability = data.capability("sys", "TimeInfo", "TimeZone")
    if capability is not None and capability.allows(minutes):
        params["TimeZone"] = minutes
    await data.client.set("sys", "TimeInfo", None, params)
    await data.coordinator.async_refresh_group(group_key("sys", "TimeInfo", channel))


# RecordDevice SDStatus while an operation runs.
SD_BUSY: frozenset[SdStatus] = frozenset(
    {SdStatus.FORMATTING, SdStatus.MOUNTING, SdStatus.UNMOUNTING}
)
# The SD card buttons, by key.
SD_OPERATIONS: dict[str, SdOperation] = {
    "sd_unmount": SdOperation.UNMOUNT,
    "sd_mount": SdOperation.MOUNT,
    "sd_format": SdOperation.FORMAT,
}


def _sd_settled(blocks: list[ParamGroup]) -> bool:
    return not blocks or blocks[0].get("SDStatus") not in SD_BUSY


def _sd_operation(
    operation: SdOperation,
) -> Callable[[CgiCameraData, int], Awaitable[None]]:
    """Return a press function sending RecordDevice Operate, then re-reading it."""

    async def _operate(data: CgiCameraData, channel: int) -> None:
        await data.client.sd_operate(channel, operation)
        key = group_key("record", "RecordDevice", channel)
        await data.coordinator.async_refresh_group(key)
        # Formatting, mounting, unmounting take a while: follow the status on every tick until it settles.
        data.coordinator.async_follow(key, _sd_settled)

    return _operate


BUTTONS: tuple[CgiButtonEntityDescription, ...] = (
    CgiButtonEntityDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=_reboot,
        supported_fn=lambda data, channel: True,
    ),
    CgiButtonEntityDescription(
        key="reset_image",
        translation_key="reset_image",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        press_fn=_reset_image,
        supported_fn=has_group("camera", "ResetInfo"),
        device_wide=False,
    ),
    CgiButtonEntityDescription(
        key="sync_clock",
        translation_key="sync_clock",
        entity_registry_enabled_default=False,
        entity_category=EntityCategory.CONFIG,
        press_fn=_sync_clock,
        supported_fn=has_group("sys", "TimeInfo"),
    ),
    *(
        CgiButtonEntityDescription(
            key=key,
            translation_key=key,
            entity_category=EntityCategory.CONFIG,
            entity_registry_enabled_default=False,
            press_fn=_sd_operation(operation),
            supported_fn=has_sd_card_slot,
            device_wide=False,
        )
        for key, operation in SD_OPERATIONS.items()
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up buttons: device-wide ones once, the others per channel."""
    data = entry.runtime_data
    async_add_entities(
        CgiButton(entry, description, channel, device_wide=description.device_wide)
        for description in BUTTONS
        for channel in (data.channels[:1] if description.device_wide else data.channels)
        if description.supported_fn(data, channel)
    )
    async_add_entities(ptz_buttons(entry))


class CgiButton(CgiBaseEntity, ButtonEntity):
    """A camera action; it reads nothing, so it costs no poll."""

    entity_description: CgiButtonEntityDescription

    async def async_press(self) -> None:
        """Run the action."""
        with camera_errors(self.setting_name):
            await self.entity_description.press_fn(self.camera, self.channel)
