"""Live JPEG frames drawn with Pillow, cached briefly so many cameras stay cheap."""

from __future__ import annotations

import asyncio
import io
import time
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

if TYPE_CHECKING:
    from .state import CameraState

__all__ = ["ImageRenderer"]

_CACHE_SECONDS = 0.1
_SIZE = (640, 360)


class ImageRenderer:
    """Render a frame per channel showing the channel, the time and the PTZ position."""

    def __init__(self, state: CameraState) -> None:
        """Bind to the camera state."""
        self._state = state
        self._cache: dict[int, tuple[float, bytes]] = {}
        self.rendered = 0

    async def frame(self, channel: int) -> bytes:
        """Return a JPEG for `channel` (re-rendered at most every 0.1 s)."""
        now = time.monotonic()
        cached = self._cache.get(channel)
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        text = self._state.overlay_text(channel)
        head = self._state.channel(channel).ptz
        scene = {"pan": head.pan, "tilt": head.tilt, "zoom": head.zoom}
        jpeg = await asyncio.to_thread(_render, text, scene)
        self._cache[channel] = (now, jpeg)
        self.rendered += 1
        return jpeg


def _render(text: str, scene: dict[str, float] | None = None) -> bytes:
    img = Image.new("RGB", _SIZE, (32, 48, 64))
    draw = ImageDraw.Draw(img)
    if scene is not None:
        # The scene the head looks at: a bright disc that moves with pan and tilt and grows with zoom, so the
        # picture changes when the camera moves (the integration's preset check compares pictures).
        x = int(scene["pan"] / 36000 * _SIZE[0]) % _SIZE[0]
        y = int(scene["tilt"] / 36000 * _SIZE[1] * 2) % _SIZE[1]
        r = 60 + int(scene["zoom"] / 65535 * 80)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(230, 200, 120))
    draw.rectangle(
        (10, 10, _SIZE[0] - 10, _SIZE[1] - 10), outline=(200, 200, 80), width=3
    )
    draw.multiline_text((30, 30), text, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()
