"""`python -m tests.bench [--latency S] [--connections N] ...`: run the benchmark and print its table.

The figures are also saved to .cache/bench/results.md and results.json. Nothing here fails on a slow figure: a
missed target shows as "NO" in the table.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import sys

import pytest

SECTIONS = ("setup", "refresh", "snapshot", "mjpeg", "scale", "parsing")


def main() -> int:
    """Parse the flags into BENCH_* variables and run the bench_* functions of bench_integration.py."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds the emulator waits before each reply",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=1,
        help="connections the emulator serves at once",
    )
    parser.add_argument(
        "--cameras", type=int, default=25, help="cameras in the scale run"
    )
    parser.add_argument(
        "--scale-seconds",
        type=float,
        default=180.0,
        help="seconds of polling in the scale run",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="repetitions of each timed figure (median shown)",
    )
    parser.add_argument(
        "--mjpeg-seconds",
        type=float,
        default=5.0,
        help="seconds of MJPEG per measurement",
    )
    parser.add_argument(
        "--mjpeg-fps", type=float, default=25.0, help="the emulator's MJPEG frame rate"
    )
    parser.add_argument(
        "--only", choices=SECTIONS, nargs="+", help="run only these sections"
    )
    args = parser.parse_args()
    for name in (
        "latency",
        "connections",
        "cameras",
        "scale_seconds",
        "repeat",
        "mjpeg_seconds",
        "mjpeg_fps",
    ):
        os.environ[f"BENCH_{name.upper()}"] = str(getattr(args, name))
    pytest_args = [
        str(Path(__file__).with_name("bench_integration.py")),
        "-o",
        "python_functions=bench_*",
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
    ]
    if args.only:
        pytest_args += ["-k", " or ".join(f"bench_{name}" for name in args.only)]
    return int(pytest.main(pytest_args))


if __name__ == "__main__":
    sys.exit(main())
