"""Motion binary sensors: one per channel (enabled), one per motion area when the source reports areas (disabled).

When motion detection is switched off on the camera the sensor says off: the camera detects nothing, so nothing
moves as far as it can tell (the motion-detection switch shows whether it is armed). It is unavailable only while
its source fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import BinarySensorEntity

from .compat import BinarySensorDeviceClass
from .entity import device_info

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry
    from .motion import CameraMotion


async def async_add_motion_sensors(
    entry: CgiCameraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Detect the camera's motion source, then add its sensors (none without a source)."""
    motion = entry.runtime_data.motion
    await motion.async_start()
    entities: list[MotionSensor] = []
    for channel in motion.source_channels:
        entities.append(MotionSensor(entry, motion, channel))
        entities.extend(
            MotionSensor(entry, motion, channel, area)
            for area in range(1, motion.area_count(channel) + 1)
        )
    async_add_entities(entities)


class MotionSensor(BinarySensorEntity):
    """Live motion of a channel, or of one of its motion areas."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_device_class = BinarySensorDeviceClass.MOTION

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        motion: CameraMotion,
        channel: int,
        area: int | None = None,
    ) -> None:
        """Initialize for `channel` (and motion area `area`, 1-based)."""
        self.motion = motion
        self.channel = channel
        self.area = area
        self._attr_device_info = device_info(entry, channel)
        if area is None:
            self._attr_translation_key = "motion"
            self._attr_unique_id = f"{entry.unique_id}_{channel}_motion"
        else:
            self._attr_translation_key = "motion_area"
            self._attr_translation_placeholders = {"area": str(area)}
            self._attr_unique_id = f"{entry.unique_id}_{channel}_motion_area_{area}"
            self._attr_entity_registry_enabled_default = False

    async def async_added_to_hass(self) -> None:
        """Listen to the source (it runs while any motion sensor listens)."""
        self.async_on_remove(self.motion.async_add_listener(self.async_write_ha_state))

    @property
    def available(self) -> bool:
        """Return True while the motion source works."""
        return self.motion.available

    @property
    def is_on(self) -> bool | None:
        """Return True while the camera sees motion."""
        if self.area is None:
            return self.motion.motion(self.channel)
        return self.motion.area_motion(self.channel, self.area)
