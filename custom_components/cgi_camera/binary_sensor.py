"""Binary sensors: SD card write protection, and live motion (motion_sensor.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory

from .compat import BinarySensorDeviceClass
from .entity import CgiEntity, CgiEntityDescription, build_entities, has_sd_card_slot
from .motion_sensor import async_add_motion_sensors

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CgiBinarySensorEntityDescription(
    CgiEntityDescription, BinarySensorEntityDescription
):
    """A read-only flag reported by the camera."""


BINARY_SENSORS: tuple[CgiBinarySensorEntityDescription, ...] = (
    CgiBinarySensorEntityDescription(
        key="sd_write_protected",
        translation_key="sd_write_protected",
        area="record",
        group="RecordDevice",
        param="WriteProtect",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        supported_fn=has_sd_card_slot,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up binary sensors for what the camera supports; the motion sensors follow once live motion is known."""
    async_add_entities(
        build_entities(entry, BINARY_SENSORS, CgiBinarySensor, writable=False)
    )
    async_add_motion_sensors(entry, async_add_entities)


class CgiBinarySensor(CgiEntity, BinarySensorEntity):
    """A flag the camera reports."""

    entity_description: CgiBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return True when the flag is set."""
        if (raw := self.raw_value) is None:
            return None
        return raw == 1
