"""Motion binary sensors: one per channel (enabled), one per motion area when the source reports areas (disabled).

They subscribe to the entry's `CameraMotion` (motion.py), which the entry starts and stops; they are added once the
source has answered, so their first state is the real one. When motion detection is switched off on the camera the
sensor says off: the camera detects nothing, so nothing moves as far as it can tell (the motion-detection switch
shows whether it is armed). It is unavailable while its source fails or the camera does not answer its polls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import callback

from .compat import BinarySensorDeviceClass
from .entity import CgiBaseEntity

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry
    from .motion import CameraMotion

MOTION = BinarySensorEntityDescription(
    key="motion",
    translation_key="motion",
    device_class=BinarySensorDeviceClass.MOTION,
)


@callback
def async_add_motion_sensors(
    entry: CgiCameraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the motion sensors once the entry's live motion has a source that answered (none without a source)."""
    motion = entry.runtime_data.motion

    @callback
    def add() -> None:
        entities: list[MotionSensor] = []
        for channel in motion.source_channels:
            entities.append(MotionSensor(entry, motion, channel))
            entities.extend(
                MotionSensor(entry, motion, channel, area)
                for area in range(1, motion.area_count(channel) + 1)
            )
        async_add_entities(entities)

    entry.async_on_unload(motion.async_on_ready(add))


class MotionSensor(CgiBaseEntity, BinarySensorEntity):
    """Live motion of a channel, or of one of its motion areas."""

    _attr_should_poll = False

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        motion: CameraMotion,
        channel: int,
        area: int | None = None,
    ) -> None:
        """Initialize for `channel` (and motion area `area`, 1-based)."""
        description = MOTION
        if area is not None:
            description = BinarySensorEntityDescription(
                key=f"motion_area_{area}",
                translation_key="motion_area",
                translation_placeholders={"area": str(area)},
                device_class=BinarySensorDeviceClass.MOTION,
                entity_registry_enabled_default=False,
            )
        super().__init__(entry, description, channel)
        self.motion = motion
        self.area = area

    async def async_added_to_hass(self) -> None:
        """Listen to the camera's polls and to live motion (whose source runs while any motion sensor listens)."""
        await super().async_added_to_hass()
        self.async_on_remove(self.motion.async_add_listener(self.async_write_ha_state))

    @property
    def available(self) -> bool:
        """Return True while the camera answers and the motion source works."""
        return super().available and self.motion.available

    @property
    def is_on(self) -> bool | None:
        """Return True while the camera sees motion."""
        if self.area is None:
            return self.motion.motion(self.channel)
        return self.motion.area_motion(self.channel, self.area)
