"""The architecture as a test: DESIGN.md's arrows are import-linter contracts in pyproject.toml
(`make lint` runs them); here they hold on the tree, and a deliberate violation breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT), "--config", str(tree / "pyproject.toml")], cwd=tree,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for package in ("forum", "moderation"):
        shutil.copytree(ROOT / package, tree / package,
                        ignore=shutil.ignore_patterns("__pycache__", "data", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_contracts_hold_on_the_tree(tmp_path: Path) -> None:
    answer = _lint(_copy(tmp_path))
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "0 broken" in answer.stdout


def test_a_pure_pipeline_importing_the_database_breaks_a_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    (tree / "moderation" / "domain" / "shortcut.py").write_text(
        "from forum.models.user import User  # a text rule peeking at accounts\n")
    answer = _lint(tree)
    assert answer.returncode != 0
    assert "moderation.domain.shortcut -> forum.models.user" in answer.stdout


def test_a_front_door_importing_another_breaks_a_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    (tree / "forum" / "api" / "shortcut.py").write_text("from forum.web import core\n")
    answer = _lint(tree)
    assert answer.returncode != 0
    assert "BROKEN" in answer.stdout and "forum.api.shortcut" in answer.stdout
