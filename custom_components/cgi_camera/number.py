"""Number entities: image tuning, exposure and IR-cut levels, stream bit and frame rates, volume, motion sensitivity."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfDataRate, UnitOfTime
from homeassistant.exceptions import ServiceValidationError

from .api import Choices, IntRange
from .const import DOMAIN
from .entity import CgiEntity, CgiEntityDescription, build_entities, records_to_sd_card
from .ptz_entities import ptz_numbers

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry

# The client serializes requests per camera, and each request's deadline includes that wait.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CgiNumberEntityDescription(CgiEntityDescription, NumberEntityDescription):
    """A numeric camera setting; the range comes from the camera's query, else from the spec's default."""

    default_min: int = 0
    default_max: int = 255


def _level(
    key: str, area: str, group: str, param: str, *, enabled: bool = True
) -> CgiNumberEntityDescription:
    """Return a 0..255 slider setting (the spec's range for most image and exposure levels)."""
    return CgiNumberEntityDescription(
        key=key,
        translation_key=key,
        area=area,
        group=group,
        param=param,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=enabled,
        mode=NumberMode.SLIDER,
    )


def _stream_descriptions() -> list[CgiNumberEntityDescription]:
    descriptions: list[CgiNumberEntityDescription] = []
    for area, stream in (("major_stream", "main"), ("minor_stream", "sub")):
        descriptions.extend(
            (
                CgiNumberEntityDescription(
                    key=f"{stream}_bitrate",
                    translation_key=f"{stream}_bitrate",
                    area=area,
                    group="StreamInfo",
                    param="BitRate",
                    native_unit_of_measurement=UnitOfDataRate.KILOBITS_PER_SECOND,
                    default_min=32,
                    default_max=8192,
                    mode=NumberMode.BOX,
                    entity_category=EntityCategory.CONFIG,
                    entity_registry_enabled_default=False,
                ),
                CgiNumberEntityDescription(
                    key=f"{stream}_frame_rate",
                    translation_key=f"{stream}_frame_rate",
                    area=area,
                    group="StreamInfo",
                    param="FrameRate",
                    native_unit_of_measurement="fps",
                    default_min=1,
                    default_max=30,
                    mode=NumberMode.BOX,
                    entity_category=EntityCategory.CONFIG,
                    entity_registry_enabled_default=False,
                ),
                CgiNumberEntityDescription(
                    key=f"{stream}_gop",
                    translation_key=f"{stream}_gop",
                    area=area,
                    group="StreamInfo",
                    param="IPRate",
                    default_min=1,
                    default_max=200,
                    mode=NumberMode.BOX,
                    entity_category=EntityCategory.CONFIG,
                    entity_registry_enabled_default=False,
                ),
            )
        )
    return descriptions


NUMBERS: tuple[CgiNumberEntityDescription, ...] = (
    _level("brightness", "image", "ImageInfo", "Brightness"),
    _level("contrast", "image", "ImageInfo", "Contrast"),
    _level("saturation", "image", "ImageInfo", "Saturation", enabled=False),
    _level("sharpness", "image", "ImageInfo", "Sharpness", enabled=False),
    _level("hue", "image", "ImageInfo", "Hue", enabled=False),
    _level("denoise", "image", "ImageInfo", "Denoise", enabled=False),
    CgiNumberEntityDescription(
        key="gamma",
        translation_key="gamma",
        area="image",
        group="ImageInfo",
        param="Gamma",
        default_min=0,
        default_max=15,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    _level("wdr_level", "camera", "BasicInfo", "WDRLevel", enabled=False),
    _level("ldc_level", "camera", "BasicInfo", "LDCLevel", enabled=False),
    _level("wb_red_gain", "camera", "BasicInfo", "WBRGain", enabled=False),
    _level("wb_blue_gain", "camera", "BasicInfo", "WBBGain", enabled=False),
    _level("exposure_level", "camera", "ExposureInfo", "ELCLevel", enabled=False),
    CgiNumberEntityDescription(
        key="blc_level",
        translation_key="blc_level",
        area="camera",
        group="ExposureInfo",
        param="BLCLevel",
        default_max=240,
        mode=NumberMode.SLIDER,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    _level("ir_cut_color_to_bw", "camera", "ExposureInfo", "ICRC2BThr", enabled=False),
    _level("ir_cut_bw_to_color", "camera", "ExposureInfo", "ICRB2CThr", enabled=False),
    CgiNumberEntityDescription(
        key="ir_cut_delay",
        translation_key="ir_cut_delay",
        area="camera",
        group="ExposureInfo",
        param="ICRTimer",
        native_unit_of_measurement=UnitOfTime.SECONDS,
        default_max=10,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    *_stream_descriptions(),
    CgiNumberEntityDescription(
        key="audio_volume",
        translation_key="audio_volume",
        entity_registry_enabled_default=False,
        area="audio",
        group="AudioInfo",
        param="AudioVolume",
        default_max=9,
        mode=NumberMode.SLIDER,
        entity_category=EntityCategory.CONFIG,
    ),
    CgiNumberEntityDescription(
        key="motion_sensitivity",
        translation_key="motion_sensitivity",
        area="alarm",
        group="MDInfo",
        param="MDSensitivity",
        default_min=1,
        default_max=100,
        mode=NumberMode.SLIDER,
        entity_category=EntityCategory.CONFIG,
    ),
    CgiNumberEntityDescription(
        key="record_length",
        translation_key="record_length",
        area="record",
        group="RecordControl",
        param="Lenght",
        native_unit_of_measurement=UnitOfTime.SECONDS,
        default_min=10,
        default_max=3600,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        supported_fn=records_to_sd_card("record", "RecordControl", "Lenght"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up number entities for what the camera supports."""
    async_add_entities(build_entities(entry, NUMBERS, CgiNumber, writable=True))
    async_add_entities(ptz_numbers(entry))


class CgiNumber(CgiEntity, NumberEntity):
    """A numeric camera setting."""

    entity_description: CgiNumberEntityDescription
    _attr_native_step = 1

    @property
    def native_min_value(self) -> float:
        """Return the camera's minimum (for the current resolution, for stream settings)."""
        capability = self.capability
        if isinstance(capability, IntRange):
            return capability.min
        if isinstance(capability, Choices) and (ints := _ints(capability)):
            return min(ints)
        return self.entity_description.default_min

    @property
    def native_max_value(self) -> float:
        """Return the camera's maximum (for the current resolution, for stream settings)."""
        capability = self.capability
        if isinstance(capability, IntRange):
            return capability.max
        if isinstance(capability, Choices) and (ints := _ints(capability)):
            return max(ints)
        return self.entity_description.default_max

    @property
    def native_value(self) -> float | None:
        """Return the current value."""
        return self.fitting_int(self.raw_value)

    async def async_set_native_value(self, value: float) -> None:
        """Send the value, after checking it against the camera's own list or range."""
        # NaN passes Home Assistant's range check (every comparison with it is false) and has no int().
        if (
            not math.isfinite(value)
            or value != int(value)
            or (
                (capability := self.capability) is not None
                and not capability.allows(int(value))
            )
        ):
            allowed = (
                ", ".join(str(v) for v in _ints(capability))
                if isinstance(capability := self.capability, Choices)
                else f"{self.native_min_value:g}–{self.native_max_value:g}"
            )
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_number",
                translation_placeholders={
                    "value": f"{value:g}",
                    "setting": self.setting_name,
                    "allowed": allowed,
                },
            )
        await self.async_set_params({self.entity_description.param: int(value)})


def _ints(capability: Choices) -> list[int]:
    return [value for value in capability.values if isinstance(value, int)]
