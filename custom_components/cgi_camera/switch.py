"""Switch entities: image features, audio, motion detection and its actions, recording, OSD, NTP, DST."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from .entity import CgiEntity, CgiEntityDescription, build_entities, records_to_sd_card

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry

# The client serializes requests per camera, and each request's deadline includes that wait.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CgiSwitchEntityDescription(CgiEntityDescription, SwitchEntityDescription):
    """An on/off camera setting; the wire values are 1 and 0 unless stated."""

    on_value: int = 1
    off_value: int = 0


def _switch(
    key: str,
    area: str,
    group: str,
    param: str,
    *,
    enabled: bool = True,
    category: EntityCategory | None = EntityCategory.CONFIG,
    recording: bool = False,
) -> CgiSwitchEntityDescription:
    return CgiSwitchEntityDescription(
        key=key,
        translation_key=key,
        area=area,
        group=group,
        param=param,
        entity_category=category,
        entity_registry_enabled_default=enabled,
        supported_fn=records_to_sd_card(area, group, param) if recording else None,
    )


SWITCHES: tuple[CgiSwitchEntityDescription, ...] = (
    _switch("mirror", "camera", "BasicInfo", "MirrorHor", enabled=False),
    _switch("flip", "camera", "BasicInfo", "MirrorVer", enabled=False),
    _switch("wdr", "camera", "BasicInfo", "WDRSwitch", enabled=False),
    _switch("anti_false_color", "camera", "BasicInfo", "AFCSwitch", enabled=False),
    _switch("defog", "camera", "BasicInfo", "AFGSwitch", enabled=False),
    _switch(
        "lens_shading_correction", "camera", "BasicInfo", "LSCSwitch", enabled=False
    ),
    _switch("distortion_correction", "camera", "BasicInfo", "LDCSwitch", enabled=False),
    _switch("stabilizer", "camera", "BasicInfo", "DISSwitch", enabled=False),
    _switch(
        "backlight_compensation", "camera", "ExposureInfo", "BLCSwitch", enabled=False
    ),
    _switch("audio", "audio", "AudioInfo", "AudioEnable", enabled=False),
    _switch("motion_detection", "alarm", "MDInfo", "MDEnable", category=None),
    _switch("motion_alarm_output", "alarm", "MDAccessInfo", "MO1", enabled=False),
    _switch("motion_alarm_mail", "alarm", "MDAccessInfo", "MM", enabled=False),
    _switch("motion_alarm_ftp", "alarm", "MDAccessInfo", "MF", enabled=False),
    _switch("motion_alarm_tcp", "alarm", "MDAccessInfo", "MT", enabled=False),
    _switch(
        "motion_alarm_sd", "alarm", "MDAccessInfo", "MS", enabled=False, recording=True
    ),
    _switch(
        "manual_recording",
        "record",
        "RecordControl",
        "Mode",
        category=None,
        recording=True,
    ),
    _switch(
        "loop_recording",
        "record",
        "RecordControl",
        "Loop",
        enabled=False,
        recording=True,
    ),
    _switch(
        "event_recording",
        "record",
        "RecordControl",
        "Event",
        enabled=False,
        recording=True,
    ),
    _switch("osd_text", "image", "OSDInfo", "TextOSDStatus", enabled=False),
    _switch("osd_date", "image", "OSDInfo", "DateOSDStatus", enabled=False),
    _switch("osd_time", "image", "OSDInfo", "TimeOSDStatus", enabled=False),
    _switch("ntp_sync", "sys", "TimeInfo", "TimeMethod", enabled=False),
    _switch("daylight_saving", "sys", "TimeInfo", "DaylightEnable", enabled=False),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up switch entities for what the camera supports."""
    async_add_entities(build_entities(entry, SWITCHES, CgiSwitch, writable=True))


class CgiSwitch(CgiEntity, SwitchEntity):
    """An on/off camera setting."""

    entity_description: CgiSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return True when the camera reports the on value."""
        if (raw := self.raw_value) is None:
            return None
        return bool(raw == self.entity_description.on_value)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        await self.async_set_params(
            {self.entity_description.param: self.entity_description.on_value}
        )

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off."""
        await self.async_set_params(
            {self.entity_description.param: self.entity_description.off_value}
        )
