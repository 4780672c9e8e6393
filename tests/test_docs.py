"""The published docs say what the code does: they are checked against it."""

from pathlib import Path

import airready.readiness.scorecard as scoring
from airready.scaffold import template_files

ROOT = Path(__file__).resolve().parent.parent


def test_scoring_doc_carries_the_explained_model():
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    for line in (scoring.__doc__ or "").splitlines():
        assert line.strip() in doc, line


def test_example_site_config_is_the_starter_template():
    # The repository is an example project made from the same template `airready init` writes.
    templates = dict(template_files())
    for name in ("site/mkdocs.yml", "site/overrides/main.html"):
        assert (ROOT / name).read_text(encoding="utf-8") == templates[name], name
