"""`python -m tests.bench [--latency S] [--connections N] ...`: run the benchmark and print its table.

The figures are also saved to .cache/bench/results.md and results.json. Nothing here fails on a slow figure: a
missed target shows as "NO" in the table.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
import os
from pathlib import Path
import sys

import pytest

from tests.bench.settings import Settings

SECTIONS = (
    "setup",
    "refresh",
    "snapshot",
    "dashboard",
    "jpgmulreq",
    "mjpeg",
    "scale",
    "memory",
    "parsing",
    "motion",
    "live",
)


def main() -> int:
    """Parse the flags into BENCH_* variables and run the bench_* functions of bench_integration.py."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    for item in fields(Settings):
        parser.add_argument(
            f"--{item.name.replace('_', '-')}",
            type=type(item.default),
            default=item.default,
            help=item.metadata["help"],
        )
    parser.add_argument(
        "--only", choices=SECTIONS, nargs="+", help="run only these sections"
    )
    args = parser.parse_args()
    for item in fields(Settings):
        os.environ[f"BENCH_{item.name.upper()}"] = str(getattr(args, item.name))
    pytest_args = [
        str(Path(__file__).with_name("bench_integration.py")),
        str(Path(__file__).with_name("bench_motion.py")),
        str(Path(__file__).with_name("bench_live_view.py")),
        "-o",
        "python_functions=bench_*",
        "-p",
        "no:cacheprovider",
        # pytest keeps every log record of a test in memory (a real Home Assistant keeps none at INFO): without
        # it, 100 cameras' "Registered new ... entity" lines would count as their memory.
        "-p",
        "no:logging",
        "-q",
        "--no-header",
    ]
    if args.only:
        pytest_args += ["-k", " or ".join(f"bench_{name}" for name in args.only)]
    return int(pytest.main(pytest_args))


if __name__ == "__main__":
    sys.exit(main())
