"""Buttons: reboot, image settings reset, clock sync (plus the PTZ buttons on PTZ cameras)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import CgiError
from .compat import ButtonDeviceClass
from .const import DOMAIN
from .data import CgiCameraConfigEntry, CgiCameraData, group_key
from .entity import CgiEntity, CgiEntityDescription, build_entities, has_group
from .ptz_entities import ptz_buttons

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class CgiButtonEntityDescription(CgiEntityDescription, ButtonEntityDescription):
    """An action on the camera."""

    press_fn: Callable[[CgiCameraData, int], Awaitable[object]]


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
        key = group_key(area, group, channel)
        await data.coordinators.for_group(key).async_refresh_group(key)


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
    key = group_key("sys", "TimeInfo", channel)
    await data.coordinators.for_group(key).async_refresh_group(key)


BUTTONS: tuple[CgiButtonEntityDescription, ...] = (
    CgiButtonEntityDescription(
        key="reboot",
        area="sys",
        group="DeviceInfo",
        param="DeviceID",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=_reboot,
        supported_fn=lambda data, channel: True,
    ),
    CgiButtonEntityDescription(
        key="reset_image",
        translation_key="reset_image",
        area="camera",
        group="ResetInfo",
        param="",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        press_fn=_reset_image,
        supported_fn=has_group("camera", "ResetInfo"),
    ),
    CgiButtonEntityDescription(
        key="sync_clock",
        translation_key="sync_clock",
        area="sys",
        group="TimeInfo",
        param="CameraTime",
        entity_category=EntityCategory.CONFIG,
        press_fn=_sync_clock,
        supported_fn=has_group("sys", "TimeInfo"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up buttons."""
    async_add_entities(build_entities(entry, BUTTONS, CgiButton, writable=False))
    async_add_entities(ptz_buttons(entry))


class CgiButton(CgiEntity, ButtonEntity):
    """A camera action; it needs no polling."""

    entity_description: CgiButtonEntityDescription

    async def async_added_to_hass(self) -> None:
        """Buttons read nothing, so they register no group (they cost no request)."""
        await super(CgiEntity, self).async_added_to_hass()

    @property
    def available(self) -> bool:
        """Available while the camera answers."""
        return self.coordinator.last_update_success

    async def async_press(self) -> None:
        """Run the action."""
        try:
            await self.entity_description.press_fn(self.camera, self.channel)
        except CgiError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_failed",
                translation_placeholders={
                    "action": self.setting_name,
                    "error": str(err),
                },
            ) from err
