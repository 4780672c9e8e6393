"""The benchmark's synthetic project generator (bench/synth.py) writes a valid project.

The benchmark is only meaningful if what it loads is a realistic inventory that
airready accepts: these tests keep the generator honest as the format evolves.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from airready.inventory.config import load_project
from airready.inventory.validate import load_inventory

ROOT = Path(__file__).resolve().parents[1]
N = 30


def _synth():
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


synth = _synth()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "project"
    synth.generate(out, N, seed=7)
    return out


def test_generated_project_validates(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airready", "validate", "--project", str(project)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[error]" not in result.stdout and "[warning]" not in result.stdout


def test_generated_project_has_n_models_and_every_kind(project: Path) -> None:
    loaded = load_project(project, project)
    inventory, problems = load_inventory(loaded)
    assert problems == []
    assert len(inventory.of_kind("Model")) == N
    assert len(list((project / "inventory" / "models").glob("*.yaml"))) == N
    for kind in ["Organization", "Person", "Team", "Vendor", "Environment", "Dataset",
                 "Component", "Tool", "DataStore", "Credential", "Playbook"]:
        assert inventory.of_kind(kind), f"no {kind} generated"
    assert len(inventory.of_kind("Organization")) == 1
    assert len(inventory.of_kind("Playbook")) == 7  # one per scenario
    models = inventory.of_kind("Model")
    assert any(m.spec.base_model for m in models)
    assert any(m.spec.provider for m in models)
    assert any(m.spec.logging is None or m.spec.rollback is None for m in models)  # gaps


def test_generation_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    synth.generate(tmp_path / "a", N, seed=3)
    synth.generate(tmp_path / "b", N, seed=3)
    synth.generate(tmp_path / "c", N, seed=4)
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == second
    assert _tree(tmp_path / "c") != first


def test_cli_writes_the_project(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), str(out), "--models", "5",
         "--seed", "1"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "airready.yaml").read_text() == (
        "inventory: [inventory]\ncontrols: [builtin]\nreports: null\n")
    assert len(list((out / "inventory" / "models").glob("*.yaml"))) == 5


def test_refuses_to_overwrite_a_real_project(tmp_path: Path) -> None:
    (tmp_path / "airready.yaml").write_text("inventory: [inventory]\n")
    with pytest.raises(FileExistsError):
        synth.generate(tmp_path, 3)
