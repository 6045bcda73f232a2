"""The snapshot a config flow shows before the camera is added, served by an unguessable token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from aiohttp import web
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

if TYPE_CHECKING:
    from aiohttp.web import Request

PREVIEW_URL: Final = "/api/cgi_camera/preview/{token}"
PREVIEWS: HassKey[dict[str, bytes]] = HassKey(f"{DOMAIN}_previews")


class PreviewView(HomeAssistantView):
    """Serve the snapshot a config flow shows before the camera is added, by an unguessable token."""

    url = PREVIEW_URL
    name = "api:cgi_camera:preview"
    # The frontend loads it as a markdown <img>, which sends no auth header; the token is the credential.
    requires_auth = False

    def __init__(self, previews: dict[str, bytes]) -> None:
        """Serve images from `previews`, a dict the config flows fill and empty."""
        self._previews = previews

    async def get(self, request: Request, token: str) -> web.Response:
        """Return the JPEG for `token`, or 404."""
        if (image := self._previews.get(token)) is None:
            return web.Response(status=404)
        return web.Response(
            body=image, content_type="image/jpeg", headers={"Cache-Control": "no-store"}
        )


@callback
def async_previews(hass: HomeAssistant) -> dict[str, bytes]:
    """Return the preview store, registering the view on first use."""
    if (previews := hass.data.get(PREVIEWS)) is None:
        previews = hass.data[PREVIEWS] = {}
        hass.http.register_view(PreviewView(previews))
    return previews
