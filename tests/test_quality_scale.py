"""quality_scale.yaml matches the code: every module, function, file and test a rule's comment cites exists.

Citations the comments use (docs/architecture.md keeps the same names):
- a file: `coordinator.py`, `api/wire.py`, `tests/test_init.py`, `README.md`, `brand/icon.png` (looked up from the
  repository root, the integration's folder, its api/ and tests/);
- a name in a module: `services.async_setup_services`, `wire.GROUPS` (a top-level function, class or assignment
  of custom_components/cgi_camera/<module>.py or api/<module>.py, read with ast: nothing is imported);
- a file it does not have: `no conditions.yaml`;
- a test: `test_init.py::test_setup_and_unload`; a bare `test_name` after it is in the same file, and one before any
  file is looked for in every test module.
"""

from __future__ import annotations

import ast
from functools import cache
import importlib
from pathlib import Path
import re

import pytest
import yaml

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera import PLATFORMS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custom_components" / "cgi_camera"
SEARCH = (ROOT, PACKAGE, PACKAGE / "api", ROOT / "tests")
# File names in comments (a path of words, dots and @, ending with a known extension).
_FILE = re.compile(
    r"(?<![\w/.@-])((?:[\w@.-]+/)*[\w@.-]+\.(?:py|md|json|yaml|png|ambr|toml))(?:::(\w+))?"
)
_NAME = re.compile(r"(?<![\w/.])([a-z_]+)\.([A-Za-z_]\w*)")
_BARE_TEST = re.compile(r"(?<![\w:/.])(test_\w+)(?!\w|\.[a-z])")
_EXTENSIONS = frozenset({"py", "md", "json", "yaml", "png", "ambr", "toml"})


def _rules() -> dict[str, dict[str, str]]:
    data = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text(encoding="utf-8"))
    rules: dict[str, dict[str, str]] = data["rules"]
    return rules


def _find(path: str) -> Path | None:
    for base in SEARCH:
        if (candidate := base / path).is_file():
            return candidate
    return None


@cache
def _names(path: Path) -> frozenset[str]:
    """Return the top-level names a module defines, and the test functions in its classes."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.TypeAlias) and isinstance(node.name, ast.Name):
            names.add(node.name.id)
    return frozenset(names)


def _test_modules() -> list[Path]:
    return sorted((ROOT / "tests").rglob("test_*.py"))


def stale_citations(comment: str) -> list[str]:
    """Return the citations in `comment` that name nothing in the repository."""
    stale: list[str] = []
    for match in _FILE.finditer(comment):
        path, test = match.group(1), match.group(2)
        found = _find(path)
        if comment[: match.start()].endswith("no "):
            # "no conditions.yaml": a file the integration does not have.
            if found is not None:
                stale.append(f"no {path}")
            continue
        if found is None:
            stale.append(path)
            continue
        if test is not None and test not in _names(found):
            stale.append(f"{path}::{test}")
    for match in _NAME.finditer(comment):
        module, name = match.groups()
        if name in _EXTENSIONS:
            continue
        modules = [
            p
            for p in (PACKAGE / f"{module}.py", PACKAGE / "api" / f"{module}.py")
            if p.is_file()
        ]
        if modules and not any(name in _names(p) for p in modules):
            stale.append(f"{module}.{name}")
    # Bare test names: in the test file cited last before them, else in any test module.
    for match in _BARE_TEST.finditer(comment):
        name = match.group(1)
        before = [
            m
            for m in _FILE.finditer(comment[: match.start()])
            if Path(m.group(1)).name.startswith("test_")
        ]
        if before and (found := _find(before[-1].group(1))) is not None:
            if name not in _names(found):
                stale.append(f"{before[-1].group(1)}::{name}")
        elif not any(name in _names(p) for p in _test_modules()):
            stale.append(name)
    return stale


def test_every_citation_exists() -> None:
    """Each rule's comment cites only modules, names, files and tests that exist."""
    rules = _rules()
    stale = {
        rule: s
        for rule, body in rules.items()
        if (s := stale_citations(body.get("comment", "")))
    }
    assert stale == {}
    cited = " ".join(body.get("comment", "") for body in rules.values())
    # The check is not vacuous: the comments cite many files and tests.
    assert len(_FILE.findall(cited)) > 40


@pytest.mark.parametrize(
    "comment",
    [
        "Evidence: test_init.py::test_no_such_test.",
        "Evidence: test_init.py::test_setup_and_unload, test_no_such_test.",
        "services._loaded_entry raises not_loaded.",
        "const.py FAST_SCAN/SLOW_SCAN and nowhere.py",
        "test_missing_everywhere proves it",
        "brand/icon.svg is not a file we cite, but docs/nothing.md is",
        "The integration has no coordinator.py",
    ],
)
def test_a_stale_citation_is_found(comment: str) -> None:
    """The parser reports a citation that names nothing (so the check above can fail)."""
    assert stale_citations(comment)


def test_good_citations_pass() -> None:
    """Files, module names and tests that exist are not reported."""
    comment = (
        'coordinator.py and wire.GROUPS (api/wire.py); services.yaml; README.md "Removal"; '
        "test_init.py::test_setup_and_unload, test_unavailable_and_recovery; "
        "tests/snapshots/test_platforms.ambr; test_config_flow.py::test_reauth."
    )
    assert stale_citations(comment) == []


def test_parallel_updates_as_stated() -> None:
    """Every platform sets PARALLEL_UPDATES, and the parallel-updates comment states the value they set."""
    values = {
        platform: importlib.import_module(
            f"custom_components.cgi_camera.{platform.value}"
        ).PARALLEL_UPDATES
        for platform in PLATFORMS
    }
    comment = _rules()["parallel-updates"]["comment"]
    stated = {int(v) for v in re.findall(r"PARALLEL_UPDATES = (\d+)", comment)}
    assert stated == set(values.values()), values
