"""Select entities: stream encoding, IR-cut, exposure, white balance, video standard, audio codec, time zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import MAX_LENGTH_STATE_STATE, EntityCategory
from homeassistant.exceptions import ServiceValidationError

from .api import Choices, IntRange
from .const import DOMAIN
from .entity import CgiEntity, CgiEntityDescription, build_entities, records_to_sd_card
from .ptz_entities import async_add_preset_selects

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry, CgiCameraData

# The client serializes requests per camera, and each request's deadline includes that wait.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CgiSelectEntityDescription(CgiEntityDescription, SelectEntityDescription):
    """A camera setting with a fixed set of values.

    `values` maps each option (a translation key) to its wire value; options the camera's query does not allow
    are left out. Without `values`, the options are the camera's own list, shown as `format_fn` renders them.
    """

    values: Mapping[str, int | str] | None = None
    format_fn: Callable[[int | str], str] = str


def _format_shutter(value: int | str) -> str:
    return f"1/{value} s"


def _format_gain(value: int | str) -> str:
    return f"{value}x"


def _format_time_zone(value: int | str) -> str:
    if not isinstance(value, int) or abs(value) > 24 * 60:
        raise ValueError(value)
    minutes = value
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _resolutions_supported(area: str) -> Callable[[CgiCameraData, int], bool]:
    def _supported(data: CgiCameraData, channel: int) -> bool:
        return bool(_resolutions(data, area))

    return _supported


def _resolutions(data: CgiCameraData, area: str) -> list[str]:
    """Return every resolution the stream offers: one query block per resolution, or one list in one block."""
    caps = data.capabilities.get(area)
    if caps is None:
        return []
    found: list[str] = []
    for block in caps.blocks("StreamInfo"):
        capability = block.get("Resolution")
        if isinstance(capability, Choices):
            found.extend(
                str(value) for value in capability.values if str(value) not in found
            )
    return found


STREAMS: tuple[tuple[str, str], ...] = (
    ("major_stream", "main"),
    ("minor_stream", "sub"),
)


def _stream_descriptions() -> list[CgiSelectEntityDescription]:
    descriptions: list[CgiSelectEntityDescription] = []
    for area, stream in STREAMS:
        descriptions.extend(
            (
                CgiSelectEntityDescription(
                    key=f"{stream}_resolution",
                    translation_key=f"{stream}_resolution",
                    entity_registry_enabled_default=False,
                    area=area,
                    group="StreamInfo",
                    param="Resolution",
                    entity_category=EntityCategory.CONFIG,
                    supported_fn=_resolutions_supported(area),
                ),
                CgiSelectEntityDescription(
                    key=f"{stream}_codec",
                    translation_key=f"{stream}_codec",
                    entity_registry_enabled_default=False,
                    area=area,
                    group="StreamInfo",
                    param="Payload",
                    values={"h264": 0, "h265": 1},
                    entity_category=EntityCategory.CONFIG,
                ),
                CgiSelectEntityDescription(
                    key=f"{stream}_bitrate_type",
                    translation_key=f"{stream}_bitrate_type",
                    area=area,
                    group="StreamInfo",
                    param="BitType",
                    values={"vbr": 0, "cbr": 1},
                    entity_category=EntityCategory.CONFIG,
                    entity_registry_enabled_default=False,
                ),
                CgiSelectEntityDescription(
                    key=f"{stream}_video_quality",
                    translation_key=f"{stream}_video_quality",
                    area=area,
                    group="StreamInfo",
                    param="VideoQuality",
                    values={
                        "lowest": 0,
                        "low": 1,
                        "average": 2,
                        "high": 3,
                        "highest": 4,
                    },
                    entity_category=EntityCategory.CONFIG,
                    entity_registry_enabled_default=False,
                ),
            )
        )
    return descriptions


SELECTS: tuple[CgiSelectEntityDescription, ...] = (
    *_stream_descriptions(),
    CgiSelectEntityDescription(
        key="ir_cut_mode",
        translation_key="ir_cut_mode",
        area="camera",
        group="ExposureInfo",
        param="ICRSwitch",
        values={"external": 0, "night": 1, "day": 2, "auto": 3},
    ),
    CgiSelectEntityDescription(
        key="exposure_mode",
        translation_key="exposure_mode",
        entity_registry_enabled_default=False,
        area="camera",
        group="ExposureInfo",
        param="ExposureMode",
        values={"auto": 0, "shutter": 1, "manual": 2},
        entity_category=EntityCategory.CONFIG,
    ),
    CgiSelectEntityDescription(
        key="scene",
        translation_key="scene",
        entity_registry_enabled_default=False,
        area="camera",
        group="ExposureInfo",
        param="ScenceSelect",
        values={"outdoor": 0, "indoor": 1},
        entity_category=EntityCategory.CONFIG,
    ),
    CgiSelectEntityDescription(
        key="metering_mode",
        translation_key="metering_mode",
        area="camera",
        group="ExposureInfo",
        param="HLCSwitch",
        values={"intelligent_infrared": 0, "center": 1, "average": 2, "area": 3},
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    CgiSelectEntityDescription(
        key="color_mode",
        translation_key="color_mode",
        entity_registry_enabled_default=False,
        area="camera",
        group="ExposureInfo",
        param="ColorMode",
        values={"colorful": 0, "standard": 1, "cold": 2},
        entity_category=EntityCategory.CONFIG,
    ),
    CgiSelectEntityDescription(
        key="max_shutter",
        translation_key="max_shutter",
        area="camera",
        group="ExposureInfo",
        param="ShutterMax",
        format_fn=_format_shutter,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    CgiSelectEntityDescription(
        key="manual_shutter",
        translation_key="manual_shutter",
        area="camera",
        group="ExposureInfo",
        param="ShutterManual",
        format_fn=_format_shutter,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    CgiSelectEntityDescription(
        key="max_gain",
        translation_key="max_gain",
        area="camera",
        group="ExposureInfo",
        param="AGCMax",
        format_fn=_format_gain,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    CgiSelectEntityDescription(
        key="manual_gain",
        translation_key="manual_gain",
        area="camera",
        group="ExposureInfo",
        param="AGCManual",
        format_fn=_format_gain,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    CgiSelectEntityDescription(
        key="white_balance",
        translation_key="white_balance",
        entity_registry_enabled_default=False,
        area="camera",
        group="BasicInfo",
        param="WBMode",
        values={"auto": 0, "manual": 1},
        entity_category=EntityCategory.CONFIG,
    ),
    CgiSelectEntityDescription(
        key="video_standard",
        translation_key="video_standard",
        area="image",
        group="ImageInfo",
        param="Format",
        values={"pal": 0, "ntsc": 1},
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    CgiSelectEntityDescription(
        key="audio_codec",
        translation_key="audio_codec",
        area="audio",
        group="AudioInfo",
        param="AudioCodec",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
    CgiSelectEntityDescription(
        key="record_stream",
        translation_key="record_stream",
        area="record",
        group="RecordControl",
        param="StreamType",
        values={"main": 0, "sub": 1},
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        supported_fn=records_to_sd_card("record", "RecordControl", "StreamType"),
    ),
    CgiSelectEntityDescription(
        key="time_zone",
        translation_key="time_zone",
        area="sys",
        group="TimeInfo",
        param="TimeZone",
        format_fn=_format_time_zone,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up select entities for what the camera supports."""
    async_add_entities(build_entities(entry, SELECTS, CgiSelect, writable=True))
    async_add_preset_selects(hass, entry, async_add_entities)


class CgiSelect(CgiEntity, SelectEntity):
    """A camera setting chosen from a list."""

    entity_description: CgiSelectEntityDescription

    def _wire_values(self) -> dict[str, int | str]:
        """Return option → wire value, limited to what the camera allows and to what fits in a state."""
        return {
            option: value
            for option, value in self._camera_values().items()
            if len(option) <= MAX_LENGTH_STATE_STATE
        }

    def _camera_values(self) -> dict[str, int | str]:
        """Return option → wire value, limited to what the camera allows."""
        description = self.entity_description
        capability = self.capability
        if description.values is not None:
            return {
                option: value
                for option, value in description.values.items()
                if capability is None or capability.allows(value)
            }
        if description.param == "Resolution":
            return {
                value: value for value in _resolutions(self.camera, description.area)
            }
        if isinstance(capability, Choices):
            return {description.format_fn(value): value for value in capability.values}
        if isinstance(capability, IntRange) and capability.max - capability.min <= 64:
            return {
                description.format_fn(value): value
                for value in range(capability.min, capability.max + 1)
            }
        return {}

    @property
    def options(self) -> list[str]:
        """Return the options the camera offers (plus the current value if the camera reports another)."""
        options = list(self._wire_values())
        if (current := self.current_option) is not None and current not in options:
            options.append(current)
        return options

    @property
    def current_option(self) -> str | None:
        """Return the option matching the camera's current value."""
        if (raw := self.raw_value) is None:
            return None
        for option, value in self._wire_values().items():
            if value == raw:
                return option
        description = self.entity_description
        if description.values is None:
            try:
                return self.fitting_state(description.format_fn(raw))
            except ValueError:
                self.unfit(raw)
        return None

    async def async_select_option(self, option: str) -> None:
        """Send the chosen value to the camera."""
        values = self._wire_values()
        if option not in values:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_option",
                translation_placeholders={
                    "option": option,
                    "setting": self.setting_name,
                },
            )
        await self.async_set_params({self.entity_description.param: values[option]})
