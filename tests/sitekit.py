"""Projects for the auditor-site tests: the example copied into a temporary folder, a
hostile variant of it, and synthetic estates; `airready site build` run in-process.

Nothing here writes into the repository: every build happens in a copy, so the tests
never touch /work/main/site/docs or site/public.
"""

from __future__ import annotations

import functools
import re
import shutil
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from airready.cli import main

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-25"
MERMAID_JS = REPO / "site" / "assets" / "mermaid.min.js"
# Material's search worker run from disk through this shim (.ci/fetch-mermaid fetches both).
WORKER_JS = REPO / "site" / "assets" / "iframe-worker.js"
# What a project needs for the site: the config, the inventory, reports and local controls.
PROJECT_PARTS = ("airready.yaml", "inventory", "reports", "controls")
SITE_PARTS = ("mkdocs.yml", "overrides")

# Every way inventory text could try to become markup, script or a diagram.
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '{: onclick="alert(1)"}',
    "```",
    "left | right",
    "A-->B[<b>x</b>]",
    "%%{init: {'securityLevel': 'loose'}}%%",
)
HOSTILE = " ".join(PAYLOADS)
# The same on separate lines, so block syntax (fences, HTML blocks, tables) gets a chance.
HOSTILE_BLOCK = "\n".join((
    "<script>alert(1)</script>",
    "```mermaid",
    "graph TD",
    "A-->B[<b>x</b>]",
    "click A call alert(1)",
    "```",
    "%%{init: {'securityLevel': 'loose'}}%%",
    "| a | b |",
    "|---|---|",
    "| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
    '{: onclick="alert(1)"}',
    "<!-- open comment",
))
HOSTILE_URL = "javascript:alert(1)"
HOSTILE_MODEL = "model:hostile-probe"


def copy_example(dest: Path) -> Path:
    """The repository's example project (with its site config) copied under ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        elif source.is_file():
            shutil.copyfile(source, dest / part)
    add_site_config(dest)
    return dest


def add_site_config(project: Path) -> None:
    site = project / "site"
    site.mkdir(parents=True, exist_ok=True)
    for part in SITE_PARTS:
        source = REPO / "site" / part
        if source.is_dir():
            shutil.copytree(source, site / part, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, site / part)
    if WORKER_JS.is_file():  # found by `site build` in site/assets/, as in the repository
        (site / "assets").mkdir(exist_ok=True)
        shutil.copyfile(WORKER_JS, site / "assets" / WORKER_JS.name)


def build(project: Path, *, html_too: bool = False, today: str = TODAY,
          mermaid: Path | None = None, extra: list[str] | None = None) -> None:
    """`airready site build --project PROJECT` in this process; fails the test unless 0."""
    args = ["site", "build", "--project", str(project), "--today", today, *(extra or [])]
    if mermaid is not None:
        args += ["--mermaid-js", str(mermaid)]
    if not html_too:
        args.append("--markdown-only")
    try:
        main(args)
    except SystemExit as exc:
        assert exc.code == 0, f"airready {' '.join(args)} exited {exc.code}"
    else:  # pragma: no cover - main always exits
        raise AssertionError("airready.cli.main returned without exiting")


def build_some_html(project: Path, wanted: set[str]) -> Path:
    """MkDocs' own build of site/docs, with every page in the navigation and the search
    plugin, but only the pages in ``wanted`` (paths in docs/) converted and written.

    A full build of a few hundred pages takes most of a minute on a busy machine; what a
    page's HTML holds (the navigation, the page) does not depend on the others being
    written.  Tests compare its output with a full build's.
    """
    from mkdocs.commands import build as mkbuild
    from mkdocs.config import load_config

    populate, write = mkbuild._populate_page, mkbuild._build_page

    def populate_some(page: Any, *args: Any, **kwargs: Any) -> None:
        if page.file.src_uri in wanted:
            populate(page, *args, **kwargs)

    def write_some(page: Any, *args: Any, **kwargs: Any) -> None:
        if page.file.src_uri in wanted:
            write(page, *args, **kwargs)

    config = load_config(str(project / "site" / "mkdocs.yml"))
    mkbuild._populate_page, mkbuild._build_page = populate_some, write_some
    try:
        mkbuild.build(config)
    finally:
        mkbuild._populate_page, mkbuild._build_page = populate, write
    return Path(config["site_dir"])


def docs(project: Path) -> dict[str, bytes]:
    """Every generated file under site/docs/, by POSIX path."""
    root = project / "site" / "docs"
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def pages(project: Path) -> dict[str, str]:
    """The generated Markdown pages (assets left out)."""
    return {path: data.decode("utf-8") for path, data in docs(project).items()
            if path.endswith(".md")}


# --- synthetic estates ----------------------------------------------------------------

def synth(dest: Path, models: int, seed: int = 0) -> Path:
    """bench/synth.py's project of ``models`` models, with the site config added."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import synth as generator  # bench/ is not a package
    finally:
        sys.path.remove(str(REPO / "bench"))
    generator.generate(dest, models, seed)
    add_site_config(dest)
    return dest


# A model whose neighbourhood is the same in every synthetic estate: nothing calls it,
# it stands on nothing, and it refers only to entities every estate has.
PROBE_MODEL = """\
apiVersion: airready/v1
kind: Model
metadata:
  name: size-probe
  title: Size probe
  description: A model that no other entity refers to, so its page should never change.
  owner: team:support-ml
spec:
  version: "1.0.0"
  lifecycle: production
  risk_tier: low
  environments: [environment:production]
  users: {count: 10, audience: internal}
"""


def add_probe(project: Path) -> str:
    path = project / "inventory" / "models" / "size-probe.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PROBE_MODEL, encoding="utf-8")
    return "models/model-size-probe.md"


# --- the hostile inventory ------------------------------------------------------------

HOSTILE_CONTROL = {
    "id": "EVIL-XSS-001",
    "title": HOSTILE,
    "description": HOSTILE_BLOCK,
    "phase": "preparation",
    "checklist_item": HOSTILE,
    "severity": "high",
    "applies_to": {"kind": "Model", "where": {"path": "metadata.name",
                                              "equals": "hostile-probe"}},
    "check": {"path": "spec.version", "equals": "never this"},
    "failure": HOSTILE,
    "remediation": {"text": HOSTILE_BLOCK,
                    "example": "spec:\n  note: |\n    ```\n    ````\n" + HOSTILE_BLOCK + "\n"},
    "references": {"owasp_llm": [HOSTILE, "LLM01:2025"]},
    "examples": {
        "pass": [{"kind": "Model", "metadata": {"name": "hostile-probe",
                                                "description": HOSTILE},
                  "spec": {"version": "never this"}}],
        "fail": [{"kind": "Model", "metadata": {"name": "hostile-probe",
                                                "description": HOSTILE_BLOCK},
                  "spec": {"version": "1.0"}}],
    },
}


def _hostile_model() -> dict[str, Any]:
    return {
        "apiVersion": "airready/v1", "kind": "Model",
        "metadata": {
            "name": "hostile-probe", "title": HOSTILE, "description": HOSTILE_BLOCK,
            "owner": None,  # filled in from the example
            "links": [
                {"title": HOSTILE, "url": HOSTILE_URL},
                {"title": "[x](javascript:alert(1))", "url": "https://ok.example/a_(b)?q=1"},
                {"title": "quote", "url": 'https://ok.example/"onmouseover="alert(1)'},
                {"title": "data", "url": "data:text/html,<script>alert(1)</script>"},
                {"title": "angle", "url": "https://ok.example/<script>alert(1)</script>"},
                {"title": "newline", "url": "https://ok.example/\n[x](javascript:alert(1))"},
            ],
        },
        "spec": {
            "version": HOSTILE, "lifecycle": "production", "risk_tier": "high",
            "environments": ["environment:production"],
            "users": {"count": 5, "audience": "internal"},
            "monitoring": {"alerts": ["latency"], "destination": HOSTILE},
            "rollback": {"known_good_version": HOSTILE, "artifact_checksum": HOSTILE},
            "architecture": {"auth": HOSTILE, "integrations": [HOSTILE]},
        },
    }


def _poison(doc: dict[str, Any]) -> None:
    """Hostile text in the free-text fields the site shows, whatever the kind."""
    kind, spec = doc.get("kind"), doc.get("spec") or {}
    metadata = doc.setdefault("metadata", {})
    if kind in ("Organization", "Person", "Team", "Vendor", "Playbook", "Risk", "Tool",
                "Credential", "DataStore"):
        metadata["title"] = HOSTILE
        metadata["description"] = HOSTILE_BLOCK
    if kind == "Person":
        spec["email"] = HOSTILE
        spec["phone"] = "| cell | split |"
    elif kind == "Vendor" and spec:
        spec["security_contact"] = {"email": HOSTILE, "phone": HOSTILE_BLOCK,
                                    "url": HOSTILE_URL}
        spec["incident_reporting"] = HOSTILE
    elif kind == "Playbook":
        spec["steps"] = [HOSTILE, HOSTILE_BLOCK]
    elif kind == "Risk":
        spec["title"] = HOSTILE
        spec["category"] = HOSTILE
    elif kind == "Credential":
        spec["revocation"] = HOSTILE
    elif kind == "Organization":
        if spec.get("escalation"):
            spec["escalation"] = {"legal": HOSTILE, "notify_customers": HOSTILE_BLOCK,
                                  "take_offline": HOSTILE}
        spec["severity_scale"] = {level: HOSTILE for level in spec.get("severity_scale", {})}
        for channel in spec.get("channels", []):
            channel["name"] = HOSTILE
            channel["kind"] = HOSTILE_BLOCK
        if spec.get("forensic_environment"):
            spec["forensic_environment"]["location"] = HOSTILE


def make_hostile(dest: Path) -> Path:
    """The example project with hostile text in every field the site shows, one hostile
    model, and a local control whose every string is hostile."""
    project = copy_example(dest)
    owner = None
    files = [*(project / "inventory").rglob("*.yaml"), *(project / "reports").rglob("*.yaml")]
    for path in sorted(files):
        docs_in = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        for doc in docs_in:
            _poison(doc)
            if doc.get("kind") == "Model" and owner is None:
                owner = (doc.get("metadata") or {}).get("owner")
        path.write_text(yaml.safe_dump_all(docs_in, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    model = _hostile_model()
    model["metadata"]["owner"] = owner or "team:applied-ml"
    (project / "inventory" / "models" / "hostile.yaml").write_text(
        yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    controls = project / "controls"
    controls.mkdir(exist_ok=True)
    (controls / "hostile.yaml").write_text(yaml.safe_dump(HOSTILE_CONTROL, sort_keys=False),
                                           encoding="utf-8")
    return project


# --- reading Markdown and HTML ----------------------------------------------------------

FENCE_OPEN = re.compile(r"^(`{3,})([\w-]*)\s*$")


@dataclass
class Fence:
    lang: str
    lines: list[str]


@dataclass
class Parsed:
    """A page split into the lines outside fenced blocks and the fenced blocks."""
    prose: list[str] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)
    unclosed: bool = False


def split_fences(text: str) -> Parsed:
    """Fences as superfences reads them: a run of >= 3 backticks opens, the same run closes."""
    parsed = Parsed()
    lines = iter(text.splitlines())
    for line in lines:
        match = FENCE_OPEN.match(line)
        if not match:
            parsed.prose.append(line)
            continue
        bar, body = match.group(1), []
        for inner in lines:
            if re.fullmatch(rf"`{{{len(bar)},}}\s*", inner):
                break
            body.append(inner)
        else:
            parsed.unclosed = True
        parsed.fences.append(Fence(match.group(2), body))
    return parsed


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(fragment: str) -> Tags:
    parser = Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def markdown_to_html(text: str) -> str:
    """The Markdown as MkDocs converts it, with site/mkdocs.yml's extensions."""
    converter = _converter()
    converter.reset()
    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter, as MkDocs
    return converter.convert(body)


@functools.cache
def _converter() -> Any:
    import markdown

    config = yaml.load((REPO / "site" / "mkdocs.yml").read_text(encoding="utf-8"),
                       Loader=_MkDocsLoader)
    names: list[str] = []
    options: dict[str, Any] = {}
    for item in config["markdown_extensions"]:
        if isinstance(item, dict):
            (name, value), = item.items()
            names.append(name)
            options[name] = value or {}
        else:
            names.append(item)
    return markdown.Markdown(extensions=names, extension_configs=options)


class _MkDocsLoader(yaml.SafeLoader):
    """mkdocs.yml names a Python function with !!python/name:; resolve just that one."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    module, _, attr = suffix.rpartition(".")
    return getattr(__import__(module, fromlist=[attr]), attr)


_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)


def visible_text(fragment: str) -> str:
    """The text a browser shows (character references resolved once, as a browser does)."""
    return " ".join("".join(parse_html(fragment).text).split())


# Tables, lists, fact paragraphs, entity headings, folded lines and charts are HTML blocks
# in the generated Markdown (see sitegen/escape.py).
HTML_BLOCK = re.compile(r"^<(table|ul|div|details)( [^>\n]*)?>\n.*?\n</\1>$"
                        r"|^<(p|h2)( [^>\n]*)?>.*?</\3>$", re.S | re.M)


def html_blocks(text: str) -> list[str]:
    return [m.group(0) for m in HTML_BLOCK.finditer(text)]


def without_html_blocks(text: str) -> str:
    """The page's Markdown proper: what Python-Markdown's inline pass reads."""
    return HTML_BLOCK.sub("", text)


def html_tables(text: str) -> list[list[list[str]]]:
    """Every HTML table of a page: its rows (header first), each a list of cells' inner HTML."""
    found = []
    for block in html_blocks(text):
        if block.startswith("<table>"):
            found.append([re.findall(r"<t[hd]>(.*?)</t[hd]>", row)
                          for row in re.findall(r"<tr(?: id=\"[^\"]*\")?>(.*?)</tr>", block)])
    return found


def cell_text(cell: str) -> str:
    return visible_text(cell)


def table_after(text: str, heading: str) -> list[list[str]]:
    """The first HTML table under a ``## heading``."""
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return html_tables(section)[0]
