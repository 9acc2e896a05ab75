"""The package's one-way rule: cli -> render -> selection -> catalogue -> plumbing (docs/architecture.md).

Walks every module's imports (``ast``, including imports inside functions) and fails on an import
against the direction, on a plumbing module that imports the package's layers, and on a module
left loose in the package root.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "strategease"
LAYERS = {"cli": 4, "render": 3, "selection": 2, "catalogue": 1}
PLUMBING = {"__init__", "__main__", "errors", "vocab", "fmt", "console", "outputs", "safetext", "inputs"}


def _layer(module: str) -> tuple[str, int]:
    """('cli', 4) for strategease.cli.app; ('errors', 0) for strategease.errors."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    return head, LAYERS.get(head, 0)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "strategease":
                found.extend((node.lineno, f"strategease.{a.name}") for a in node.names)
            elif node.module.startswith("strategease."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("strategease."))
    return found


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts)


def test_imports_run_one_way() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = _module_name(path)
        my_head, my_level = _layer(me)
        if me == "strategease.__main__":
            continue  # the entry point starts the command line
        for line, target in _imports(path):
            head, level = _layer(target)
            if head in PLUMBING and my_head in PLUMBING:
                continue
            if my_head in PLUMBING and head not in PLUMBING:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: plumbing imports {target}")
            elif level > my_level:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {my_head} imports {target} (against the direction)")
    assert not wrong, "\n".join(wrong)


def test_every_module_lives_in_its_folder() -> None:
    loose = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in PLUMBING)
    assert not loose, f"modules in the package root that belong in a folder: {loose}"


def test_the_rule_catches_a_wrong_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from strategease.render.select import table\n", encoding="utf-8")
    (line, target), = _imports(bad)
    assert _layer(target)[1] > LAYERS["selection"]
