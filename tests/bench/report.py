"""The benchmark's table of figures, and the settings of this run (from the BENCH_* variables)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
import json
import os
from pathlib import Path
import platform
import statistics

from tests.bench.settings import Settings

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / ".cache" / "bench"


SETTINGS = Settings.from_env()


@dataclass
class Row:
    """One figure and what it is compared with."""

    section: str
    figure: str
    measured: str
    compared_with: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Report:
    """Every figure of the run, in order."""

    rows: list[Row] = field(default_factory=list)

    def add(self, section: str, figure: str, measured: str, **kwargs: object) -> None:
        """Add a row (see Row)."""
        self.rows.append(Row(section, figure, measured, **kwargs))  # type: ignore[arg-type]

    def markdown(self) -> str:
        """Return the table as Markdown."""
        lines = [
            "| # | Figure | Measured | Compared with | Ratio | Target | Met |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            met = "" if row.met is None else ("yes" if row.met else "**no**")
            lines.append(
                f"| {row.section} | {row.figure} | {row.measured} | {row.compared_with} | {row.ratio} "
                f"| {row.target} | {met} |"
            )
        return "\n".join(lines)

    def text(self) -> str:
        """Return the table as aligned plain text for the terminal."""
        header = ("#", "figure", "measured", "compared with", "ratio", "target", "met")
        cells = [header] + [
            (
                r.section,
                r.figure,
                r.measured,
                r.compared_with,
                r.ratio,
                r.target,
                "" if r.met is None else ("yes" if r.met else "NO"),
            )
            for r in self.rows
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        return "\n".join(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
            for row in cells
        )

    def save(self) -> Path:
        """Write results.md and results.json under .cache/bench; return the Markdown path."""
        RESULTS.mkdir(parents=True, exist_ok=True)
        machine = machine_description()
        md = RESULTS / "results.md"
        md.write_text(f"{machine}\n\n{self.markdown()}\n")
        (RESULTS / "results.json").write_text(
            json.dumps(
                {
                    "machine": machine,
                    "settings": asdict(SETTINGS),
                    "rows": [asdict(r) for r in self.rows],
                },
                indent=1,
            )
        )
        return md


REPORT = Report()


def machine_description() -> str:
    """Return the CPU model, core count and Python of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"emulator latency {SETTINGS.latency * 1000:.0f} ms, {SETTINGS.connections} connection(s) at a time"
    )


def median(values: list[float]) -> float:
    """Return the median."""
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ratio(value: float, reference: float) -> str:
    """Return value/reference as '1.05×' (or '—' without a reference)."""
    return f"{value / reference:.2f}×" if reference > 0 else "—"
