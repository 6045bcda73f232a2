"""PTZ mechanics: moves continue (position advancing with time) until Stop=0."""

from __future__ import annotations

from dataclasses import dataclass, field
import time

__all__ = ["PAN_MAX", "TILT_MAX", "ZOOM_MAX", "PtzState"]

PAN_MAX = 36000
TILT_MAX = 36000
ZOOM_MAX = 65535
# Direction → (pan sign, tilt sign): 1 up, 2 down, 3 left, 4 right, 5 up-left, 6 down-left, 7 up-right, 8 down-right.
DIRECTIONS: dict[int, tuple[int, int]] = {
    1: (0, 1),
    2: (0, -1),
    3: (-1, 0),
    4: (1, 0),
    5: (-1, 1),
    6: (-1, -1),
    7: (1, 1),
    8: (1, -1),
}
_RATE_PER_SPEED = 1000.0  # hundredths of a degree per second per speed step
_ZOOM_RATE = 20000.0  # zoom units per second


def _clamp(value: float, hi: float) -> float:
    return min(max(value, 0.0), hi)


@dataclass
class PtzState:
    """One channel's pan/tilt/zoom head. Positions are read through properties that advance running moves."""

    moving: int = 0  # current Direction (1..8) or 0
    pan_speed: int = 6
    tilt_speed: int = 6
    zooming: int = 0  # 1 zoom in, -1 zoom out, 0 idle
    focusing: int = 0  # 1 near, -1 far, 0 idle
    iris: int = 0  # 1 opening, -1 closing, 0 idle
    autoscan: bool = False
    presets: dict[int, str] = field(default_factory=dict)
    preset_positions: dict[int, tuple[float, float, float]] = field(
        default_factory=dict
    )
    patterns: dict[int, int] = field(
        default_factory=dict
    )  # number → last Pattern action
    autopans: dict[int, int] = field(
        default_factory=dict
    )  # number → last AutoPan action
    tours: dict[int, dict[str, object]] = field(default_factory=dict)
    stop_count: int = 0
    commands: list[dict[str, str]] = field(
        default_factory=list
    )  # every PTZCtrlInfo set, params as sent
    _pan: float = 18000.0
    _tilt: float = 9000.0
    _zoom: float = 0.0
    _scan_dir: int = 1
    _last: float = field(default_factory=time.monotonic)

    # Positions --------------------------------------------------------------------------------------------------
    def advance(self) -> None:
        """Move the head according to the running commands up to now."""
        now = time.monotonic()
        dt, self._last = now - self._last, now
        if dt <= 0:
            return
        if self.moving in DIRECTIONS:
            sp, st = DIRECTIONS[self.moving]
            self._pan = _clamp(
                self._pan + sp * max(self.pan_speed, 1) * _RATE_PER_SPEED * dt, PAN_MAX
            )
            self._tilt = _clamp(
                self._tilt + st * max(self.tilt_speed, 1) * _RATE_PER_SPEED * dt,
                TILT_MAX,
            )
        elif self.autoscan:
            self._pan += self._scan_dir * max(self.pan_speed, 1) * _RATE_PER_SPEED * dt
            if self._pan >= PAN_MAX or self._pan <= 0:  # sweep back and forth
                self._pan = _clamp(self._pan, PAN_MAX)
                self._scan_dir = -self._scan_dir
        if self.zooming:
            self._zoom = _clamp(self._zoom + self.zooming * _ZOOM_RATE * dt, ZOOM_MAX)

    @property
    def pan(self) -> float:
        """Pan in hundredths of a degree (0..36000)."""
        self.advance()
        return self._pan

    @pan.setter
    def pan(self, value: float) -> None:
        self.advance()
        self._pan = _clamp(value, PAN_MAX)

    @property
    def tilt(self) -> float:
        """Tilt in hundredths of a degree (0..36000)."""
        self.advance()
        return self._tilt

    @tilt.setter
    def tilt(self, value: float) -> None:
        self.advance()
        self._tilt = _clamp(value, TILT_MAX)

    @property
    def zoom(self) -> float:
        """Zoom position (0..65535)."""
        self.advance()
        return self._zoom

    @zoom.setter
    def zoom(self, value: float) -> None:
        self.advance()
        self._zoom = _clamp(value, ZOOM_MAX)

    @property
    def busy(self) -> bool:
        """Return True while anything is running."""
        return bool(
            self.moving or self.zooming or self.focusing or self.iris or self.autoscan
        )

    # Commands ---------------------------------------------------------------------------------------------------
    def halt(self) -> None:
        """Stop every running operation (Stop=0)."""
        self.advance()
        self.moving = self.zooming = self.focusing = self.iris = 0
        self.autoscan = False

    def start_move(
        self, direction: int, pan_speed: int | None, tilt_speed: int | None
    ) -> None:
        """Start moving in `direction` until halted."""
        self.advance()
        if pan_speed is not None:
            self.pan_speed = pan_speed
        if tilt_speed is not None:
            self.tilt_speed = tilt_speed
        self.autoscan = False
        self.moving = direction

    def start_autoscan(self) -> None:
        """Sweep horizontally until halted."""
        self.advance()
        self.moving = 0
        self.autoscan = True

    def save_preset(self, number: int, title: str | None) -> None:
        """Store the current position as preset `number`."""
        self.preset_positions[number] = (self.pan, self.tilt, self.zoom)
        self.presets[number] = (
            title if title is not None else self.presets.get(number, f"Preset {number}")
        )

    def call_preset(self, number: int) -> bool:
        """Go to preset `number`; return False when it was never saved."""
        pos = self.preset_positions.get(number)
        if pos is None:
            return False
        self.halt()
        self._pan, self._tilt, self._zoom = pos
        return True

    def position(
        self, pan: int | None, tilt: int | None, zoom: int | None, *, relative: bool
    ) -> None:
        """Go to an absolute position, or move by a relative amount."""
        self.halt()
        if pan is not None:
            self._pan = _clamp(self._pan + pan if relative else pan, PAN_MAX)
        if tilt is not None:
            self._tilt = _clamp(self._tilt + tilt if relative else tilt, TILT_MAX)
        if zoom is not None:
            self._zoom = _clamp(self._zoom + zoom if relative else zoom, ZOOM_MAX)
