"""Fail unless every module of the integration is covered: 95 % each (the quality scale's test-coverage rule asks it
of every module, not of the total), 100 % for the config flow (config-flow-test-coverage).

Reads the coverage data pytest-cov left in .coverage; scripts/test runs it after pytest.
"""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys
import tempfile

MODULE_MIN = 95.0
EXACT_MIN = {"custom_components/cgi_camera/config_flow.py": 100.0}


def main() -> int:
    """Print the modules below their bar; return 1 if there is one."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "coverage.json"
        subprocess.run(
            [sys.executable, "-m", "coverage", "json", "-q", "-o", str(report)],
            check=True,
        )
        files = json.loads(report.read_text())["files"]
    below = []
    for path, data in sorted(files.items()):
        bar = EXACT_MIN.get(path, MODULE_MIN)
        # The percentage coverage's own report shows, without its rounding.
        summary = data["summary"]
        statements = summary["num_statements"]
        covered = 100.0 * summary["covered_lines"] / statements if statements else 100.0
        if covered < bar:
            below.append(f"  {path}: {covered:.1f} % (needs {bar:.0f} %)")
    if below:
        print(f"{len(below)} module(s) below their coverage bar:")
        print("\n".join(below))
        return 1
    print(
        f"every module at {MODULE_MIN:.0f} % or more ({len(files)} modules; config flow 100 %)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
