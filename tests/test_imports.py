"""The package's shape: no import circle, a UI that never loads mido or the model runtime,
and no module of the live wing past 300 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "musicgen_live"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function, relative ones resolved."""
    name = module_name(path)
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            anchor = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join(anchor + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {
            m for m in imports_of(path) if m in files and m != name and not name.startswith(m + ".")
        }
        for name, path in files.items()
    }


def test_no_import_circle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            pytest.fail("import circle: " + " -> ".join(path[path.index(module) :] + [module]))
        if module in done:
            return
        for target in sorted(edges[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def test_the_ui_imports_nothing_from_mido_or_the_runtime() -> None:
    ui = [p for p in PACKAGE.joinpath("tui").rglob("*.py")]
    direct = {
        f"{module_name(p)} -> {m}"
        for p in ui
        for m in imports_of(p)
        if m.split(".")[0] in ("mido", "rtmidi") or m.startswith("musicgen_live.runtime")
    }
    assert not direct
    # nor through anything it imports: loading the whole UI loads neither
    script = (
        "import sys, musicgen_live.tui.app; "
        "bad = [m for m in ('mido', 'rtmidi', 'musicgen_live.runtime') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_is_over_300_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 300
    }
    assert not long
