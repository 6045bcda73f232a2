"""The benchmark's settings: flags of `scripts/bench`, handed to the pytest run as BENCH_* variables.

Kept apart from report.py, which reads them at import: `python -m tests.bench` must import this before it sets
the variables, and report.py only after.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
import os


@dataclass(frozen=True)
class Settings:
    """What the run was asked for (each field is a flag of `scripts/bench`, with its help text as metadata)."""

    latency: float = field(
        default=0.05, metadata={"help": "seconds the emulator waits before each reply"}
    )
    connections: int = field(
        default=1, metadata={"help": "connections the emulator serves at once"}
    )
    cameras: str = field(
        default="1,25,100",
        metadata={
            "help": "camera counts of the scale run, comma-separated (each set up together, then polled)"
        },
    )
    scale_seconds: float = field(
        default=60.0,
        metadata={
            "help": "seconds of polling in the scale run, in phase and again in slots"
        },
    )
    repeat: int = field(
        default=5, metadata={"help": "repetitions of each timed figure (median shown)"}
    )
    mjpeg_seconds: float = field(
        default=5.0, metadata={"help": "seconds of MJPEG per measurement"}
    )
    dashboard_seconds: float = field(
        default=60.0,
        metadata={
            "help": "seconds dashboard viewers fetch camera pictures (every 10 s each)"
        },
    )
    profile: str = field(
        default="",
        metadata={
            "help": "write cProfile stats of each scale start-up and polling window to PROFILE.<cameras>[.<mode>]"
        },
    )
    onvif: int = field(
        default=0,
        metadata={
            "help": "1: the scale run's cameras serve ONVIF events (motion over ONVIF, as most real cameras); "
            "0: they have none (motion from getAlarmStatus)"
        },
    )
    mjpeg_fps: float = field(
        default=25.0, metadata={"help": "the emulator's MJPEG frame rate"}
    )

    @classmethod
    def from_env(cls) -> Settings:
        """Read BENCH_* variables (set by `python -m tests.bench`); missing ones keep their defaults."""
        values = {}
        for name, default in asdict(cls()).items():
            if (raw := os.environ.get(f"BENCH_{name.upper()}")) is not None:
                values[name] = type(default)(raw)
        return cls(**values)
