"""The command line: parses arguments, calls the core, prints, and picks the exit code.

Exit codes: 0 ran clean, 1 readiness gaps at or above the threshold, 2 invalid input
or misuse.  Nothing the user feeds in ends in a traceback (``--debug`` shows one for
airready's own bugs).
"""

from __future__ import annotations

import io
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from . import __version__, scaffold
from .audit import load_all, load_checked_inventory, long_lived, resolve_today, run_check
from .graph.blast import SCENARIOS, blast_radius
from .graph.graph import build_graph
from .inventory.config import CONFIG_NAME, REGISTER_NAME, Project, find_root, load_project
from .inventory.files import (
    STDOUT,
    OutputError,
    check_targets,
    open_output,
    prepare_folder,
    resolve_target,
    write_output,
)
from .inventory.kinds import KINDS
from .inventory.kinds import SCENARIOS as KIND_SCENARIOS
from .inventory.model import Inventory
from .inventory.ownership import owned
from .inventory.problems import InputError, Problem, has_errors
from .inventory.schema_errors import did_you_mean
from .inventory.schema_export import all_schemas, combined_schema, dumps
from .inventory.words import plural
from .postincident.incidents import report as incident_report
from .postincident.incidents import reports as incident_reports
from .readiness import history
from .readiness import scorecard as scoring
from .readiness.runbook import build_runbook
from .report import blast as blast_report
from .report import controls as controls_report
from .report import github, jsonout, junit, markdown, sarif
from .report import incidents as incidents_report
from .report import register as register_report
from .report import runbook as runbook_report
from .report import scorecard as scorecard_report
from .report import summary as summary_report
from .report import text as text_report
from .report.context import ReportContext
from .rules import baseline
from .rules.catalog import Catalog, load_catalog
from .rules.findings import AuditResult
from .rules.selection import Selection, select
from .rules.waivers import waiver_problems

if TYPE_CHECKING:  # imported when a command needs it: most runs never import them
    from .interop.outcome import ImportResult
    from .sitegen import build as sitebuild

F = TypeVar("F", bound=Callable[..., Any])
GROUPS = text_report.GROUPS
RENDERERS: dict[str, Callable[[ReportContext], str]] = {
    "json": jsonout.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
}
# Formats written to their target as they are encoded (large estates: hundreds of MB).
STREAMED: dict[str, Callable[[ReportContext, IO[bytes]], None]] = {
    "json": jsonout.write,
    "sarif": sarif.write,
}
EXIT_OK, EXIT_GAPS, EXIT_INVALID = 0, 1, 2
SITE_URL_ENV = "AIRREADY_SITE_URL"


def project_option(func: F) -> F:
    return click.option(
        "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Project folder holding airready.yaml (default: the nearest one at or above "
             "the current folder).",
    )(func)


def _open_project(project_dir: Path | None) -> Project:
    return load_project(project_dir, Path.cwd())


def _print_problems(problems: list[Problem], err: bool = False) -> None:
    """Problems on standard output for ``validate``; elsewhere (``err=True``) on standard
    error, so that JSON, SARIF or JUnit on standard output stays parseable."""
    for problem in problems:  # file names and quoted values may hold control characters
        click.echo(text_report.one_line(problem.render()), err=err)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="airready")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def cli(debug: bool) -> None:
    """airready: check, before an incident, whether an AI estate is ready for one."""


@cli.command()
@project_option
def validate(project_dir: Path | None) -> int:
    """Load the inventory and check its format and references (exit 0 or 2)."""
    project = _open_project(project_dir)
    with long_lived():
        inventory, problems = load_checked_inventory(project)
    catalog, catalog_problems = load_catalog(project)
    problems += catalog_problems
    if not has_errors(problems):
        problems += waiver_problems(inventory, catalog, resolve_today(None),
                                    project.config.max_waiver_days)
    _print_problems(problems)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({s.file for s in inventory.sources.values()})
    if errors:
        click.echo(f"{plural(errors, 'error')}, {plural(warnings, 'warning')}: the inventory is "
                   "invalid", err=True)
        return EXIT_INVALID
    click.echo(f"ok: {plural(len(inventory.entities), 'entity', 'entities')} in "
               f"{plural(files, 'file')}"
               + (f", {plural(warnings, 'warning')}" if warnings else ""), err=True)
    return EXIT_OK


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one schema per kind, plus airready.schema.json, into this folder.")
def schema(out_dir: Path | None) -> int:
    """Print the JSON Schema of the inventory format, or write one file per kind."""
    if out_dir is None:
        click.echo(dumps(combined_schema()), nl=False)
        return EXIT_OK
    prepare_folder(out_dir)
    changed = 0
    for name, document in all_schemas().items():
        changed += write_output(out_dir / name, dumps(document))
    click.echo(f"wrote {plural(changed, 'schema file')} to {out_dir} "
               f"({len(all_schemas()) - changed} unchanged)", err=True)
    return EXIT_OK


def _style_for_terminal() -> Any:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text_report.plain
    colours = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan",
               "error": "red"}
    return lambda text, key: click.style(text, fg=colours.get(key), bold=key == "critical")


CHECK_FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]


def _repo_prefix(root: Path) -> str:
    """The project folder relative to the enclosing git repository ("" at its top)."""
    here = root.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            relative = here.relative_to(folder).as_posix()
            return "" if relative == "." else relative + "/"
    return ""


def _protected(project: Project, *allowed: str) -> dict[str, str]:
    """The project's inputs, which no output may overwrite; ``allowed`` names those the
    command is there to write (``baseline`` for --write-baseline, ``history`` for --record)."""
    config = project.config
    root = project.root
    guarded = {str(root / CONFIG_NAME): CONFIG_NAME}
    for entries, what in ((config.inventory, "an inventory file"),
                          (config.waivers, "a waivers file"),
                          ([c for c in config.controls if c != "builtin"], "a control file")):
        for entry in entries:
            guarded[str(root / entry)] = what
    if config.reports:
        guarded[str(root / config.reports / REGISTER_NAME)] = "the risk register"
        guarded[str(root / config.reports)] = "an incident or risk file in reports"
    for key, path, what in (("baseline", config.baseline, "the baseline"),
                            ("history", config.history, "the scorecard history")):
        if path and key not in allowed:
            guarded[str(root / path)] = what
    return guarded


def _pair_outputs(formats: tuple[str, ...], outputs: tuple[Path, ...]
                  ) -> list[tuple[str, Path | None]]:
    """``--format A --output F --format B``: A to F, B to standard output."""
    formats = formats or ("text",)
    if len(outputs) not in (len(formats), len(formats) - 1):
        raise click.UsageError("give one --output per --format (the last --format may go to "
                               f"standard output); got {len(formats)} format(s) and "
                               f"{len(outputs)} output(s)")
    return [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)]


@cli.command()
@project_option
@click.option("--format", "formats", type=click.Choice(CHECK_FORMATS), multiple=True,
              help="Output format (repeatable, paired in order with --output). Default: text.")
@click.option("--output", "outputs", type=click.Path(dir_okay=False, path_type=Path),
              multiple=True, help="File for the matching --format (repeatable).")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "none"]),
              help="Exit 1 when a gap at or above this severity remains "
                   "(default: fail_on in airready.yaml).")
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD; also $AIRREADY_TODAY).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Fail only on gaps not recorded in this baseline (default: baseline in "
                   "airready.yaml).")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Record the current gaps in this file and exit 0.")
@click.option("--control", "control_patterns", multiple=True,
              help="Only these controls (repeatable; wildcards such as 'AIR-LOG-*').")
@click.option("--phase", "phases", multiple=True, help="Only controls of this phase (repeatable).")
@click.option("--severity", "severities", multiple=True,
              help="Only controls of this severity (repeatable).")
@click.option("--framework", "frameworks", multiple=True,
              help="Only controls mapped to this framework, e.g. owasp_llm (repeatable).")
@click.option("--target", "targets", multiple=True,
              help="Only this entity, e.g. model:support-bot (repeatable).")
@click.option("--owner", "owner",
              help="Only what this team (with its sub-teams) or person (with their teams) owns, "
                   "e.g. team:claims.")
@click.option("--summary", is_flag=True,
              help="One screen in place of the text list: totals, the controls and owners with "
                   "the most gaps, and the ten gaps to fix first.")
@click.option("--group-by", type=click.Choice(GROUPS),
              help="Text output: findings under one heading per control or per owner.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also list waived findings, and say why each control that checked nothing "
                   "did.")
@click.option("--gaps-only", is_flag=True,
              help="JSON: list only failing and unevaluable results (the summary still "
                   "counts everything).")
def check(project_dir: Path | None, formats: tuple[str, ...], outputs: tuple[Path, ...],
          fail_on: str | None, today: str | None, baseline_file: Path | None,
          write_baseline: Path | None, control_patterns: tuple[str, ...],
          phases: tuple[str, ...], severities: tuple[str, ...], frameworks: tuple[str, ...],
          targets: tuple[str, ...], owner: str | None, summary: bool, group_by: str | None,
          verbose: bool, gaps_only: bool) -> int:
    """Validate, evaluate every control, print findings and a summary (the CI gate)."""
    pairs = _pair_outputs(formats, outputs)
    if summary and any(fmt != "text" for fmt, _ in pairs):
        raise click.UsageError("--summary replaces the text output; it cannot go with "
                               "--format " + ", ".join(f for f, _ in pairs if f != "text"))
    if gaps_only and "json" not in formats:
        raise click.UsageError("--gaps-only shapes JSON output: give it with --format json")
    project = _open_project(project_dir)
    day = resolve_today(today)
    if write_baseline is not None:
        check_targets([write_baseline], _protected(project, "baseline"))
    else:
        protected = _protected(project)
        if baseline_file is not None:
            protected[str(baseline_file)] = "the baseline"
        check_targets([STDOUT if output is None else output for _, output in pairs], protected)
    loaded = load_all(project)
    _print_problems(loaded.warnings, err=True)
    selection = select(loaded.catalog, loaded.inventory, control_patterns, phases, severities,
                       frameworks, targets)
    if owner is not None:
        selection = _owned_selection(selection, loaded.inventory, owner)
    if baseline_file is None and project.config.baseline and write_baseline is None:
        baseline_file = project.root / project.config.baseline
        if not baseline_file.is_file():
            line, column = project.locate("baseline")
            raise InputError([Problem(CONFIG_NAME, line, column,
                                      f"baseline: {project.config.baseline!r} does not exist "
                                      "(write it with check --write-baseline)",
                                      code="config")])
    run = run_check(loaded, day, selection, baseline_file)
    if write_baseline is not None:
        write_output(write_baseline, baseline.dumps(baseline.baseline_document(run.result)))
        click.echo(f"wrote {plural(len(run.result.gaps()), 'known gap')} to {write_baseline}",
                   err=True)
        return EXIT_OK
    threshold = fail_on or project.config.fail_on
    ctx = ReportContext(run.result, threshold, run.waivers, run.baseline,
                        _repo_prefix(project.root), gaps_only=gaps_only)
    for fmt, output in pairs:
        if fmt in STREAMED:
            _stream(STREAMED[fmt], ctx, output)
            continue
        if fmt == "text" and summary:
            text = summary_report.render(ctx)
        elif fmt == "text":
            style = _style_for_terminal() if output is None else text_report.plain
            text = text_report.render(ctx, style, verbose, group_by)
        else:
            text = RENDERERS[fmt](ctx)
        if output is not None and str(output) != STDOUT:
            write_output(output, text)
        else:
            click.echo(text, nl=False)
    return EXIT_GAPS if ctx.blocking else EXIT_OK


def _owner_ref(inventory: Inventory, owner: str) -> str:
    """``--owner``: a team or person in the inventory, or a usage error."""
    entity = inventory.get(owner)
    if entity is None or entity.kind not in ("Team", "Person"):
        candidates = [e.ref for kind in ("Team", "Person") for e in inventory.of_kind(kind)]
        raise click.UsageError(f"--owner {owner!r} is not a team or person in the inventory"
                               + did_you_mean(owner, candidates))
    return owner


def _owned_selection(selection: Selection, inventory: Inventory, owner: str) -> Selection:
    """The selection narrowed to what ``owner`` owns (with --target, the targets it owns)."""
    mine = owned(inventory, _owner_ref(inventory, owner))
    targets = mine if selection.targets is None else selection.targets & mine
    if not targets:
        raise click.UsageError(f"--owner {owner}: it owns nothing"
                               + (" among the --target entities" if selection.targets else "")
                               + " in the inventory, so nothing would be checked")
    return Selection(selection.controls, targets)


def _stream(writer: Callable[[ReportContext, IO[bytes]], None], ctx: ReportContext,
            output: Path | None) -> None:
    """Write a streamed format to ``output`` (atomically) or to standard output."""
    if output is not None and str(output) != STDOUT:
        with open_output(output, binary=True) as handle:
            writer(ctx, handle)
        return
    sys.stdout.flush()  # what was echoed before goes first
    stdout = getattr(sys.stdout, "buffer", None)
    if stdout is None:  # a text-only stream (an embedding program's): hand it the text
        buffer = io.BytesIO()
        writer(ctx, buffer)
        click.echo(buffer.getvalue().decode("ascii"), nl=False)
        return
    writer(ctx, stdout)
    stdout.flush()


@cli.command("blast-radius")
@click.argument("ref")
@project_option
@click.option("--scenario", type=click.Choice(sorted(SCENARIOS)),
              help="Follow only the edges along which this kind of harm spreads.")
@click.option("--reverse", is_flag=True, help="Walk backwards: what could harm reach REF from?")
@click.option("--depth", type=click.IntRange(min=1), help="Stop after this many hops.")
@click.option("--kind", "kinds", multiple=True,
              help="Only list entities of this kind, e.g. model (repeatable).")
@click.option("--format", "fmt", type=click.Choice(list(blast_report.RENDERERS)),
              default="text", show_default=True)
def blast_radius_command(ref: str, project_dir: Path | None, scenario: str | None,
                         reverse: bool, depth: int | None, kinds: tuple[str, ...],
                         fmt: str) -> int:
    """What harm starting at REF (e.g. dataset:web-crawl) reaches, and whom to act on."""
    project = _open_project(project_dir)
    loaded = load_all(project)
    inventory = loaded.inventory
    if ref not in inventory.entities:
        raise click.UsageError(f"{ref!r} is not in the inventory"
                               + did_you_mean(ref, inventory.entities))
    known_kinds = {k.lower() for k in KINDS}
    for kind in kinds:
        if kind.lower() not in known_kinds:
            raise click.UsageError(f"--kind {kind!r} is not a kind"
                                   + did_you_mean(kind.lower(), known_kinds))
    start_kind = inventory.entities[ref].kind
    if scenario and not reverse and start_kind not in SCENARIOS[scenario]["start"]:
        raise click.UsageError(
            f"--scenario {scenario} starts at a "
            + " or ".join(sorted(SCENARIOS[scenario]["start"])) + f", not a {start_kind}")
    graph = build_graph(inventory)
    radius = blast_radius(graph, inventory, ref, scenario, reverse, depth, kinds)
    click.echo(blast_report.RENDERERS[fmt](radius), nl=False)
    return EXIT_OK


def _audit(project: Project, today: str | None, owner: str | None = None
           ) -> tuple[AuditResult, scoring.Scorecard]:
    """Every enabled control on every target (or on what ``owner`` owns), and its
    scorecard."""
    loaded = load_all(project)
    _print_problems(loaded.warnings, err=True)
    selection = select(loaded.catalog, loaded.inventory)
    if owner is not None:
        selection = _owned_selection(selection, loaded.inventory, owner)
    result = run_check(loaded, resolve_today(today), selection).result
    with long_lived():  # the graph and every model's reach live as long as the inventory
        card = scoring.build_scorecard(result, selection.targets, owner)
    return result, card


@cli.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(list(scorecard_report.RENDERERS)),
              default="text", show_default=True)
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD; also $AIRREADY_TODAY).")
@click.option("--record", "record_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Append this run's summary to a JSON Lines history file.")
@click.option("--history", "history_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Show the trend from this history file (default: history in airready.yaml, "
                   "or the --record file).")
@click.option("--explain", is_flag=True, help="Print how levels, scores and required levels "
                                             "are computed, and exit.")
@click.option("--owner", help="Only what this team (with its sub-teams) or person owns.")
def scorecard(project_dir: Path | None, fmt: str, today: str | None, record_file: Path | None,
              history_file: Path | None, explain: bool, owner: str | None) -> int:
    """Readiness per model, owner, phase and framework, and for the organisation."""
    if explain:
        click.echo(scoring.__doc__ or "")
        return EXIT_OK
    project = _open_project(project_dir)
    if owner is not None and record_file is not None:
        raise click.UsageError("--record keeps the whole estate's history; it cannot go with "
                               "--owner")
    if record_file is not None:
        check_targets([record_file], _protected(project, "history"))
    result, card = _audit(project, today, owner)
    # the trend is read back from --record only when that is a file (not -, a FIFO, a device)
    recorded_file = record_file if record_file is not None and str(record_file) != STDOUT and (
        resolve_target(record_file).kind == "file") else None
    history_path = history_file or recorded_file or (
        project.root / project.config.history if project.config.history else None)
    entries = history.read(history_path, project.shown(history_path)) if history_path else []
    trend: dict[str, Any] | None = None
    if entries or record_file:
        current = history.record(card, result, project.root)  # runs git: only when needed
        trend = {"entries": [*entries, current] if record_file else entries}
        previous = entries[-1] if entries else None
        if previous is not None:
            trend["changes"] = history.changes(previous, current)
        if record_file is not None:
            history.append(record_file, current)
    click.echo(scorecard_report.RENDERERS[fmt](card, trend), nl=False)
    return EXIT_OK


@cli.command()
@click.argument("ref")
@project_option
@click.option("--format", "fmt", type=click.Choice(list(runbook_report.RENDERERS)),
              default="text", show_default=True)
def runbook(ref: str, project_dir: Path | None, fmt: str) -> int:
    """The first-hour runbook for one model, filled in from the inventory."""
    project = _open_project(project_dir)
    loaded = load_all(project)
    inventory = loaded.inventory
    entity = inventory.get(ref)
    if entity is None or entity.kind != "Model":
        models = [m.ref for m in inventory.of_kind("Model")]
        raise click.UsageError(f"{ref!r} is not a model in the inventory"
                               + did_you_mean(ref, models))
    book = build_runbook(build_graph(inventory), inventory, ref)
    click.echo(runbook_report.RENDERERS[fmt](book), nl=False)
    return EXIT_OK


@cli.group()
def site() -> None:
    """The static auditor site (mkdocs-material)."""


def _build_site(project_dir: Path | None, today: str | None, mermaid_js: Path | None,
                html: bool, owner: str | None = None, site_url: str | None = None
                ) -> sitebuild.BuildReport:
    # jinja2 (and MkDocs, imported by sitebuild when it runs) only for the site.
    from .sitegen import build as sitebuild
    from .sitegen import provenance as siteprov
    from .sitegen.pages import SiteInput, render_pages

    project = _open_project(project_dir)
    result, card = _audit(project, today, owner)
    history_path = project.root / project.config.history if project.config.history else None
    entries = history.read(history_path, project.shown(history_path)) if history_path else []
    site_dir = project.root / project.config.site
    config_file = site_dir / "mkdocs.yml"
    if not config_file.is_file():
        line, column = project.locate("site")
        raise InputError([Problem(CONFIG_NAME, line, column,
                                  f"site: {project.shown(config_file)} does not exist "
                                  "(airready init writes one)", code="config")])
    site_url = site_url or os.environ.get(SITE_URL_ENV) or None
    if site_url and (reason := sitebuild.site_url_problem(site_url)):
        raise InputError([Problem("--site-url", 1, 1, reason, code="usage")])
    mermaid = sitebuild.find_mermaid(mermaid_js, site_dir)
    shim = sitebuild.find_worker_shim(site_dir)
    config = sitebuild.load_site_config(config_file, lambda m: click.echo(m, err=True),
                                        project.root, project.shown(config_file))
    provenance = siteprov.gather(project.root, result.today, project.config.fail_on,
                                 project.config.repo_url)
    # The whole estate's run as a history entry, to compare with the last one recorded.
    current = history.record(card, result, project.root) if entries and owner is None else None
    pages = list(render_pages(SiteInput(result, card, entries, sitebuild.directory_urls(config),
                                        provenance, current, project.config.fail_on)))
    with click.progressbar(pages, label="writing pages", file=sys.stderr,
                           show_pos=True) as bar:
        count, changed, removed = sitebuild.write_docs(bar, site_dir / "docs", mermaid, shim)
    output = site_dir / "public"
    sitebuild.prepare_config(config, provenance.extra(), site_url)
    if html:
        click.echo(f"building HTML with MkDocs ({count} pages)...", err=True)
        output = sitebuild.run_mkdocs(config_file, lambda m: click.echo(m, err=True), config)
    return sitebuild.BuildReport(count, changed, removed, "local" if mermaid else "cdn",
                                 output, shim is not None, config["site_url"],
                                 dict(config["extra"]))


@site.command("build")
@project_option
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD; also $AIRREADY_TODAY).")
@click.option("--mermaid-js", type=click.Path(dir_okay=False, path_type=Path),
              help="A local mermaid.min.js (v11) to serve with the site, so diagrams render "
                   "offline (also $AIRREADY_MERMAID_JS, or site/assets/mermaid.min.js).")
@click.option("--markdown-only", is_flag=True, help="Write the Markdown into docs/ and stop.")
@click.option("--owner", help="A site of what this team (with its sub-teams) or person owns.")
@click.option("--site-url", help="Where the site is published (https://example.org/audit/; "
                                 "also $AIRREADY_SITE_URL or site_url in mkdocs.yml): "
                                 "sitemap.xml and 404.html need it under a sub-path.")
def site_build(project_dir: Path | None, today: str | None, mermaid_js: Path | None,
               markdown_only: bool, owner: str | None, site_url: str | None) -> int:
    """Render the auditor site: Markdown into site/docs/, HTML into site/public/."""
    report = _build_site(project_dir, today, mermaid_js, not markdown_only, owner, site_url)
    notes = []
    if not report.offline_search:
        notes.append("search from a copy opened from disk needs site/assets/iframe-worker.js "
                     "(bash .ci/fetch-mermaid)")
    if not report.site_url and not markdown_only:
        notes.append("no site_url: sitemap.xml lists no pages and 404.html assumes the site "
                     "is served from the root of its host")
    click.echo(f"{report.pages} pages ({report.written} changed, {report.removed} removed); "
               f"Mermaid from {'a local copy' if report.mermaid == 'local' else 'the CDN'}; "
               f"output in {report.output}", err=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    return EXIT_OK


@site.command("serve")
@project_option
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD; also $AIRREADY_TODAY).")
@click.option("--mermaid-js", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True,
              help="Address to serve on (loopback by default).")
def site_serve(project_dir: Path | None, today: str | None, mermaid_js: Path | None,
               dev_addr: str) -> int:
    """Render the site and serve it locally for browsing (Ctrl-C stops)."""
    from mkdocs.commands.serve import serve

    project = _open_project(project_dir)
    report = _build_site(project_dir, today, mermaid_js, html=False)
    config_file = project.root / project.config.site / "mkdocs.yml"
    serve(config_file=str(config_file), dev_addr=dev_addr, extra=report.extra)
    return EXIT_OK


@cli.group(invoke_without_command=True)
@project_option
@click.option("--format", "fmt", type=click.Choice(list(incidents_report.RENDERERS)),
              default="text", show_default=True)
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD; also $AIRREADY_TODAY).")
@click.option("--strict", is_flag=True, help="Exit 1 when a remediation action is overdue.")
@click.pass_context
def incidents(ctx: click.Context, project_dir: Path | None, fmt: str, today: str | None,
              strict: bool) -> int:
    """Post-incident metrics, regulatory clocks and actions for every Incident."""
    ctx.ensure_object(dict)
    ctx.obj.update(project_dir=project_dir, fmt=fmt, today=today)
    if ctx.invoked_subcommand is not None:
        return EXIT_OK
    project = _open_project(project_dir)
    loaded = load_all(project)
    items = incident_reports(loaded.inventory, resolve_today(today))
    click.echo(incidents_report.RENDERERS[fmt](items), nl=False)
    return EXIT_GAPS if strict and any(i.overdue for i in items) else EXIT_OK


@incidents.command("show")
@click.argument("name")
@project_option
@click.option("--format", "fmt", type=click.Choice(list(incidents_report.RENDERERS)))
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD).")
@click.pass_context
def incidents_show(ctx: click.Context, name: str, project_dir: Path | None, fmt: str | None,
                   today: str | None) -> int:
    """One incident in full: timeline, metrics, clocks, actions, review, lessons."""
    project_dir = project_dir or ctx.obj["project_dir"]
    fmt = fmt or ctx.obj["fmt"]
    today = today if today is not None else ctx.obj["today"]
    project = _open_project(project_dir)
    loaded = load_all(project)
    ref = name if name.startswith("incident:") else f"incident:{name}"
    entity = loaded.inventory.get(ref)
    if entity is None:
        known = [i.name for i in loaded.inventory.of_kind("Incident")]
        raise click.UsageError(f"no incident {name!r}"
                               + did_you_mean(name.removeprefix("incident:"), known))
    item = incident_report(entity, loaded.inventory, resolve_today(today))
    click.echo(incidents_report.RENDERERS[fmt or "text"]([item], True), nl=False)
    return EXIT_OK


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> int:
    """Create a new starter project in DIRECTORY that `airready check` can run at once."""
    written, same, clashes = scaffold.plan(directory)
    if clashes:
        raise click.UsageError("refusing to overwrite existing files: "
                               + ", ".join(str(c) for c in clashes))
    prepare_folder(directory)  # its parent must exist: a typo makes no tree of folders
    for path, text in written:
        write_output(path, text, make_parents=True)
    click.echo(f"created {plural(len(written), 'file')} in {directory} ({len(same)} already "
               f"there); next: airready check --project {directory}", err=True)
    return EXIT_OK


@cli.group("register")
def register_group() -> None:
    """The model risk register (reports/risk-register.yaml)."""


@register_group.command("update")
@project_option
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD; also $AIRREADY_TODAY).")
@click.option("--dry-run", is_flag=True, help="Print the diff and write nothing.")
def register_update(project_dir: Path | None, today: str | None, dry_run: bool) -> int:
    """Add risks from new incidents, raise recurring ones, and list failing controls."""
    from contextlib import nullcontext

    from .inventory.validate import inventory_files

    # ruamel.yaml (round-trip editing) only for the register.
    from .postincident.register import input_state, locked
    from .postincident.register import plan_update as plan_register_update
    from .postincident.register import save as save_register

    project = _open_project(project_dir)
    day = resolve_today(today)
    # The lock spans read, audit and write: parallel runs take turns.  An input that
    # changes meanwhile (an editor, a git checkout) means the audit is redone on it.
    with nullcontext() if dry_run else locked(project):
        for _attempt in range(3):
            before = input_state(project, [p for p, _ in inventory_files(project)[0]])
            loaded = load_all(project)
            result = run_check(loaded, day, select(loaded.catalog, loaded.inventory)).result
            update = plan_register_update(project, result, day)
            if input_state(project, [p for p, _ in inventory_files(project)[0]]) == before:
                break
        else:
            raise click.ClickException("the inventory kept changing while register update "
                                       "read it; nothing written (run it again)")
        _print_problems(loaded.warnings, err=True)  # standard output carries the diff
        click.echo(register_report.render_diff(update), nl=False)
        written = False if dry_run else save_register(update)
    click.echo(register_report.render_summary(update, written), nl=False, err=True)
    return EXIT_OK


@cli.group()
def controls() -> None:
    """Browse the control catalog."""


@controls.command("list")
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
def controls_list(project_dir: Path | None, fmt: str) -> int:
    """List every control: id, severity, phase, what it applies to, title."""
    catalog = _catalog(project_dir)
    click.echo(controls_report.render_list(list(catalog.controls.values()), fmt), nl=False)
    return EXIT_OK


@controls.command("show")
@click.argument("control_id")
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
def controls_show(control_id: str, project_dir: Path | None, fmt: str) -> int:
    """Show one control in full: why it matters, how to fix it, references."""
    catalog = _catalog(project_dir)
    control = catalog.get(control_id)
    if control is None:
        raise click.UsageError(f"unknown control {control_id!r}"
                               + did_you_mean(control_id, catalog.controls))
    click.echo(controls_report.render_show(control, fmt), nl=False)
    return EXIT_OK


def _catalog(project_dir: Path | None) -> Catalog:
    """The project's catalog when inside a project, else the builtin one."""
    project = None
    if project_dir is not None or find_root(Path.cwd()) is not None:
        project = _open_project(project_dir)
    catalog, problems = load_catalog(project)
    if has_errors(problems):
        raise InputError(problems)
    return catalog


@cli.group("import")
def import_group() -> None:
    """Bring an outside inventory in as inventory YAML (a new project, or into one)."""


_OUT_HELP = ("Where to write: a folder inside a project's inventory (the entities join it), "
             "or any other folder (it becomes a new project).")


@import_group.command("cyclonedx")
@click.argument("bom", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help=_OUT_HELP)
@click.option("--owner", help="Team or person owning the imported models and datasets, e.g. "
                              "team:ml-platform (default: a team to assign, team:unassigned).")
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
def import_cyclonedx(bom: Path, out_dir: Path, owner: str | None, dry_run: bool) -> int:
    """A CycloneDX 1.5/1.6 ML-BOM (JSON): models, datasets, components, vendors, risks."""
    from .interop import cyclonedx

    result = cyclonedx.import_bom(bom, bom.as_posix(), owner)
    return _run_import(result, out_dir, dry_run)


@import_group.command("omb-inventory")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help=_OUT_HELP)
@click.option("--agency", help="Import one agency (its abbreviation, e.g. DOJ) as the "
                               "organisation.")
@click.option("--vendor-aliases", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML mapping of vendor spellings to one vendor name, beside the built-in "
                   "table (yours win).")
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
def import_omb(csv_file: Path, out_dir: Path, agency: str | None, vendor_aliases: Path | None,
               dry_run: bool) -> int:
    """The US federal agency AI use case inventory (2025 CSV format)."""
    from .interop import omb
    from .interop.vendors import load_aliases

    try:
        aliases = load_aliases(vendor_aliases)
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"--vendor-aliases {vendor_aliases}: {exc}") from None
    rows, problems, empty = omb.read_rows(csv_file, csv_file.as_posix())
    _print_problems(problems, err=True)
    result = omb.build(rows, csv_file.as_posix(), agency, aliases)
    if empty:
        result.facts["empty rows skipped"] = empty
    return _run_import(result, out_dir, dry_run)


def _run_import(result: ImportResult, out_dir: Path, dry_run: bool) -> int:
    """Plan the writes, print the report, write (atomically), then validate the project."""
    from .interop.target import resolve_target
    from .interop.writer import StateError, imported_before, plan_write, read_existing, save
    from .report import interop as interop_report

    target = resolve_target(out_dir)
    existing, problems = read_existing(target.files)
    if has_errors(problems):
        _print_problems(problems, err=True)
        raise click.UsageError("the inventory has files that do not parse: fix them first, "
                               "or the import could write entities they hold a second time")
    entities = list(result.entities)
    organization = result.organization
    try:  # the Organization is the import's only in a project the import created
        if organization is not None and (target.creates_project or imported_before(
                target.folder, result.format, organization.key)):
            entities.insert(0, organization)
    except StateError as exc:
        raise click.UsageError(str(exc)) from None
    header = (f"# Imported by `airready import {result.format}` from {Path(result.source).name}."
              "\n# Edit freely: a later import keeps your changes (docs/interop.md).\n")
    try:
        plan = plan_write(entities, target.folder, existing, result.format, target.root, header)
    except StateError as exc:
        raise click.UsageError(str(exc)) from None
    if plan.invalid:  # airready's own bug, or an existing file already wrong
        raise click.ClickException("the import would write entities that do not validate:\n  "
                                   + "\n  ".join(plan.invalid))
    report_path = out_dir / f"import-report-{result.format}.md"
    click.echo(interop_report.render_text(result, plan, target.creates_project,
                                          None if dry_run else report_path.as_posix()), nl=False)
    if dry_run:
        click.echo("dry run: nothing written", err=True)
        return EXIT_OK
    scaffolded = 0
    if target.creates_project:
        write, _same, clashes = scaffold.plan(target.root)
        write = [(path, text) for path, text in write
                 if path.relative_to(target.root).parts[0] != "inventory"]
        clashes = [c for c in clashes if c.relative_to(target.root).parts[0] != "inventory"]
        if clashes:
            raise click.UsageError("refusing to overwrite existing files: "
                                   + ", ".join(str(c) for c in clashes))
        for path, text in write:
            scaffolded += write_output(path, text, make_parents=True)
    changed = save(plan)
    write_output(report_path, interop_report.render_markdown(result, plan,
                                                             target.creates_project))
    project = load_project(target.root, Path.cwd())
    with long_lived():
        inventory, problems = load_checked_inventory(project)
    _print_problems(problems, err=True)
    click.echo(f"wrote {plural(changed, 'file')} into {target.folder}"
               + (f" and {plural(scaffolded, 'project file')} into {target.root}"
                  if scaffolded else "")
               + f"; report in {report_path}", err=True)
    if has_errors(problems):
        click.echo("the project does not validate: see the problems above", err=True)
        return EXIT_INVALID
    click.echo(f"ok: {plural(len(inventory.entities), 'entity', 'entities')} validate; "
               "next: airready check "
               f"--project {target.root}", err=True)
    return EXIT_OK


@cli.group("export")
def export_group() -> None:
    """Export the audit for other tools."""


@export_group.command("oscal")
@project_option
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for assessment-results.json and plan-of-action-and-milestones.json.")
@click.option("--today", help="Judge dates as of this day (YYYY-MM-DD; also $AIRREADY_TODAY).")
def export_oscal(project_dir: Path | None, out_dir: Path, today: str | None) -> int:
    """OSCAL assessment results and a POA&M of every enabled control (waivers applied)."""
    from .interop import oscal

    project = _open_project(project_dir)
    loaded = load_all(project)
    _print_problems(loaded.warnings, err=True)
    result = run_check(loaded, resolve_today(today),
                       select(loaded.catalog, loaded.inventory)).result
    documents = oscal.documents(result, __version__)
    prepare_folder(out_dir)  # the folder itself may be new; a missing parent is an error
    check_targets([out_dir / name for name in documents], _protected(project))
    written = 0
    for name, text in documents.items():
        written += write_output(out_dir / name, text)
    gaps = sum(f.is_gap for f in result.findings)
    click.echo(f"wrote {plural(written, 'file')} to {out_dir} "
               f"({plural(len(result.evaluated), 'control')} reviewed, "
               f"{plural(gaps, 'failing finding')}): " + ", ".join(oscal.FILE_NAMES), err=True)
    return EXIT_OK


@cli.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
def coverage(project_dir: Path | None, fmt: str) -> int:
    """Each checklist item and the controls, figures or pages that cover it."""
    from .readiness.coverage import build_coverage
    from .report import coverage as coverage_report

    click.echo(coverage_report.RENDERERS[fmt](build_coverage(_catalog(project_dir))), nl=False)
    return EXIT_OK


@cli.command()
@project_option
@click.option("--scenario", required=True, type=click.Choice(list(KIND_SCENARIOS)),
              help="What the exercise rehearses.")
@click.option("--model", "model_ref", help="Build it around this model (default: the live "
                                           "model whose harm reaches furthest).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
@click.option("--today", help="The exercise date (YYYY-MM-DD; also $AIRREADY_TODAY).")
def tabletop(project_dir: Path | None, scenario: str, model_ref: str | None, fmt: str,
             today: str | None) -> int:
    """A tabletop exercise pack built from the estate's own graph, people and targets."""
    from .readiness.tabletop import TabletopError, build_tabletop
    from .report import tabletop as tabletop_report

    project = _open_project(project_dir)
    inventory = load_all(project).inventory
    if model_ref is not None:
        entity = inventory.get(model_ref)
        if entity is None or entity.kind != "Model":
            models = [m.ref for m in inventory.of_kind("Model")]
            raise click.UsageError(f"--model {model_ref!r} is not a model in the inventory"
                                   + did_you_mean(model_ref, models))
    try:
        pack = build_tabletop(build_graph(inventory), inventory, scenario,
                              resolve_today(today), model_ref)
    except TabletopError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(tabletop_report.RENDERERS[fmt](pack), nl=False)
    return EXIT_OK


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("AIRREADY_DEBUG") == "1"


def _terminated(signum: int, _frame: Any) -> None:
    """SIGTERM ends a run the way Ctrl-C does: through the clean-up of a half-made file."""
    raise SystemExit(128 + signum)


def _on_terminate(handler: Any) -> Any:
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        return None


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    previous = _on_terminate(_terminated)
    try:
        code = cli.main(args=args, prog_name="airready", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = EXIT_INVALID
    except click.ClickException as exc:
        exc.show()
        code = EXIT_INVALID
    except OutputError as exc:  # nothing was half-written: the writer renames whole files
        click.echo(f"airready: error: {text_report.one_line(str(exc))}", err=True)
        code = EXIT_INVALID
    except InputError as exc:
        usage = [p for p in exc.problems if p.code == "usage"]
        for problem in usage:  # options have no file position to show
            click.echo(f"airready: error: {text_report.one_line(problem.message)}", err=True)
        _print_problems([p for p in exc.problems if p.code != "usage"])
        errors = sum(p.level == "error" for p in exc.problems)
        click.echo(f"{plural(errors, 'error')}: the input is invalid", err=True)
        code = EXIT_INVALID
    except BrokenPipeError:
        code = EXIT_OK
    except Exception as exc:  # airready's own bug: short message, traceback only on --debug
        if _debug_requested(args):
            traceback.print_exc()
        click.echo(f"airready: internal error: {type(exc).__name__}: {exc} "
                   "(rerun with --debug for the traceback)", err=True)
        code = EXIT_INVALID
    finally:
        if previous is not None:
            _on_terminate(previous)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


__all__ = ["cli", "main"]
