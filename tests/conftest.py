"""Sites that several test modules read, each built once per test session.

Building the 1,000-model estate's site takes most of a minute on two cores: the browser
tests and the page tests share one build.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sitekit import MERMAID_JS, build, copy_example, synth

ESTATE_MODELS = 1000
REMOTE = "git@github.com:harbourline/ai-inventory.git"
SITE_URL = "https://example.org/audit/"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Auditor", "-c", "user.email=a@example.org",
                           "-c", "init.defaultBranch=main", *args], cwd=root,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def example_in_git(dest: Path) -> Path:
    """The example project committed in a fresh repository whose origin is on GitHub."""
    project = copy_example(dest)
    (project / ".gitignore").write_text("site/docs/\nsite/public/\n", encoding="utf-8")
    git(project, "init", "-q")
    git(project, "remote", "add", "origin", REMOTE)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "inventory")
    return project


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example in git, built to HTML for https://example.org/audit/; the project."""
    project = example_in_git(tmp_path_factory.mktemp("example-site") / "project")
    build(project, html_too=True, mermaid=MERMAID_JS if MERMAID_JS.is_file() else None,
          extra=["--site-url", SITE_URL])
    return project


@pytest.fixture(scope="session")
def estate_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bench/synth.py's 1,000-model estate built to HTML; the project."""
    project = synth(tmp_path_factory.mktemp("estate-site"), ESTATE_MODELS)
    build(project, html_too=True, today="2026-11-01",
          mermaid=MERMAID_JS if MERMAID_JS.is_file() else None)
    return project
