"""Text entities: the lines of on-screen text the camera shows over its picture (its OSD titles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.text import TextEntity, TextEntityDescription
from homeassistant.const import EntityCategory

from .entity import CgiEntity, CgiEntityDescription, build_entities
from .services import TITLE_MAX_BYTES, check_camera_text

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry

# The client serializes requests per camera, and each request's deadline includes that wait.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CgiTextEntityDescription(CgiEntityDescription, TextEntityDescription):
    """A line of on-screen text; at most TITLE_MAX_BYTES bytes in UTF-8, checked when set."""


def _line(line: int | None) -> CgiTextEntityDescription:
    suffix = "" if line is None else str(line)
    return CgiTextEntityDescription(
        key=f"osd_title{suffix}",
        translation_key="osd_title" if line is None else "osd_title_line",
        translation_placeholders=None if line is None else {"line": suffix},
        area="image",
        group="OSDInfo",
        param=f"TextOSDTitle{suffix}",
        native_max=TITLE_MAX_BYTES,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
    )


# The title every camera has, and the four more lines some firmwares offer (TextOSDTitle1...4).
TEXTS: tuple[CgiTextEntityDescription, ...] = (
    _line(None),
    *(_line(line) for line in range(1, 5)),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a text entity per line of on-screen text the camera has."""
    async_add_entities(build_entities(entry, TEXTS, CgiText, writable=True))


class CgiText(CgiEntity, TextEntity):
    """A line of on-screen text."""

    entity_description: CgiTextEntityDescription

    @property
    def native_value(self) -> str | None:
        """Return the text the camera shows; unknown when it does not fit a title."""
        if (raw := self.raw_value) is None:
            return None
        if len(text := str(raw)) > self.entity_description.native_max:
            self.unfit(raw)
            return None
        return text

    async def async_set_value(self, value: str) -> None:
        """Set the text; control and invisible characters or too many bytes are refused, nothing is sent."""
        await self.async_set_params(
            {self.entity_description.param: check_camera_text(value)}
        )
