"""The package layout shows the pipeline, and imports run one way: from the CLI down.

Each stage may import only stages below it (or itself).  The graph sits below the rules
because controls judge over it (a log store reachable through a tool, a tool held through
a credential); the renderers sit above everything they render.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "airready"
# Lower number = lower stage.  Top-level modules (cli, audit, scaffold) sit on top.
RANK = {
    "inventory": 0,
    "graph": 1,
    "rules": 2,
    "readiness": 3,
    "postincident": 4,
    "interop": 5,
    "report": 6,
    "sitegen": 7,
}
TOP = 9


def _stage(module: str) -> str:
    """``airready.rules.engine`` -> ``rules``; a top-level module -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in RANK else ""


def _rank(stage: str) -> int:
    return RANK.get(stage, TOP)


def _is_module(target: str) -> bool:
    """False for a name the package root defines (``airready.__version__``)."""
    parts = target.split(".")
    return len(parts) >= 2 and ((PACKAGE / parts[1]).is_dir()
                                or (PACKAGE / f"{parts[1]}.py").is_file())


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every airready module ``path`` imports, anywhere in it (functions and
    TYPE_CHECKING blocks included), as absolute names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "airready" or target.startswith("airready."):
                if node.module is None or target == "airready":
                    found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
                else:
                    found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name.startswith("airready.")]
    return found


def test_every_stage_is_a_package_with_a_docstring() -> None:
    for stage in ("inventory", "rules", "graph", "readiness", "postincident"):
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), f"airready/{stage}/ is not a package"
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        assert doc and len(doc.splitlines()) <= 3, f"airready/{stage}/__init__.py: say its job"


def test_no_flat_stage_modules_remain() -> None:
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert set(top) <= {"__init__", "__main__", "audit", "cli", "scaffold"}, top


def test_imports_run_one_way() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _stage(_module_name(path))
        for line, target in _imports(path):
            there = _stage(target)
            if _is_module(target) and _rank(there) > _rank(here):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: "
                             f"{here or 'top'} imports {target} ({there or 'top'})")
    assert not wrong, "\n".join(wrong)


def test_the_layout_check_sees_relative_imports() -> None:
    """The check reads relative imports right, so it could see one reaching up."""
    found = {target for _, target in _imports(PACKAGE / "rules" / "conditions.py")}
    assert "airready.inventory.fields" in found
    assert "airready.rules.clocks" in found
    assert _rank(_stage("airready.postincident.incidents")) > _rank(_stage("airready.rules"))
