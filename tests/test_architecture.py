"""The layer rules: import-linter contracts, and pure cores that load without Flask."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PURE_CORES = [
    "pathways.stacking.engine",
    "pathways.lti.claims",
    "pathways.xapi.statements",
    "pathways.credentials.baking",
    "pathways.credentials.badge_image",
]  # pathways.credentials.ob3 and .clr join when they are written


def _existing(module: str) -> Path | None:
    base = ROOT / Path(*module.split("."))
    if base.is_dir():
        return base
    if base.with_suffix(".py").exists():
        return base.with_suffix(".py")
    return None


def test_import_contracts_hold():
    # In a subprocess: import-linter reconfigures logging, which would disable our loggers.
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("module", PURE_CORES)
def test_pure_core_loads_without_flask(module):
    assert _existing(module) is not None, f"{module} is missing"
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy', 'marshmallow') "
        "if m in sys.modules); print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("module", PURE_CORES)
def test_pure_core_imports_only_stdlib(module):
    path = _existing(module)
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    allowed_prefixes = tuple(PURE_CORES)
    offenders = []
    for file in files:
        tree = ast.parse(file.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or name.startswith(allowed_prefixes):
                    continue
                if top == "pathways" and name in ("pathways",):
                    continue
                offenders.append(f"{file.relative_to(ROOT)}: {name}")
    assert offenders == []
