"""The emulator's video: a short clip encoded at run time with PyAV (libx264 / libx265), no download.

A clip is a list of access units (each a list of NAL units without start codes) at a fixed frame rate, a key frame
every second with its parameter sets repeated in band, so a looping sender can start anywhere at a key frame.
Clips are made once per process and kept (a few hundred kilobytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Literal

__all__ = ["Clip", "Codec", "make_clip", "split_annexb"]

type Codec = Literal["H264", "H265"]

FPS = 10
SECONDS = 2


@dataclass(frozen=True)
class Clip:
    """An encoded clip: access units (NAL unit lists), their frame rate and the stream's parameter sets."""

    codec: Codec
    width: int
    height: int
    fps: int
    frames: tuple[tuple[bytes, ...], ...]
    keyframes: frozenset[int]
    # H.264: (SPS, PPS); H.265: (VPS, SPS, PPS).
    parameter_sets: tuple[bytes, ...]


def split_annexb(data: bytes) -> list[bytes]:
    """Return the NAL units of an Annex B byte stream (start codes 00 00 01 / 00 00 00 01 removed)."""
    units: list[bytes] = []
    start = -1
    i = 0
    n = len(data)
    while i + 2 < n:
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            if start >= 0:
                units.append(data[start:i].rstrip(b"\x00"))
            i += 3
            start = i
        else:
            i += 1
    if start >= 0 and start < n:
        units.append(data[start:])
    return [unit for unit in units if unit]


def _nal_type(codec: Codec, unit: bytes) -> int:
    return (unit[0] >> 1) & 0x3F if codec == "H265" else unit[0] & 0x1F


# NAL unit types of the parameter sets: H.264 SPS 7, PPS 8; H.265 VPS 32, SPS 33, PPS 34.
_PARAMETER_SET_TYPES: dict[str, tuple[int, ...]] = {
    "H264": (7, 8),
    "H265": (32, 33, 34),
}


@cache
def make_clip(codec: Codec, width: int, height: int) -> Clip:
    """Encode a SECONDS-long clip of a moving bar over a gradient (cached per process)."""
    # Imported here: only the RTSP server needs PyAV.
    import av
    import numpy as np

    encoder = av.CodecContext.create("libx265" if codec == "H265" else "libx264", "w")
    encoder.width = width
    encoder.height = height
    encoder.pix_fmt = "yuv420p"
    encoder.time_base = Fraction(1, FPS)
    encoder.framerate = Fraction(FPS)
    encoder.gop_size = FPS
    encoder.max_b_frames = 0
    if codec == "H265":
        encoder.options = {
            "preset": "ultrafast",
            "x265-params": f"keyint={FPS}:min-keyint={FPS}:repeat-headers=1:bframes=0:log-level=error",
        }
    else:
        encoder.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "x264-params": f"keyint={FPS}:min-keyint={FPS}:repeat-headers=1:scenecut=0",
        }
    ramp = np.tile(np.linspace(16, 235, width, dtype=np.uint8), (height, 1))
    frames: list[tuple[bytes, ...]] = []
    keyframes: set[int] = set()
    packets = []
    for index in range(FPS * SECONDS):
        image = np.stack([ramp, np.flipud(ramp), np.full_like(ramp, 128)], axis=-1)
        bar = (index * width) // (FPS * SECONDS)
        image[:, bar : bar + max(4, width // 20)] = (255, 255, 255)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(
            format="yuv420p"
        )
        frame.pts = index
        packets.extend(encoder.encode(frame))
    packets.extend(encoder.encode(None))
    parameter_sets: dict[int, bytes] = {}
    for packet in packets:
        units = split_annexb(bytes(packet))
        kinds = [_nal_type(codec, unit) for unit in units]
        for unit, kind in zip(units, kinds, strict=True):
            if kind in _PARAMETER_SET_TYPES[codec]:
                parameter_sets.setdefault(kind, unit)
        if packet.is_keyframe:
            keyframes.add(len(frames))
        frames.append(tuple(units))
    return Clip(
        codec=codec,
        width=width,
        height=height,
        fps=FPS,
        frames=tuple(frames),
        keyframes=frozenset(keyframes),
        parameter_sets=tuple(
            parameter_sets[kind] for kind in _PARAMETER_SET_TYPES[codec]
        ),
    )
