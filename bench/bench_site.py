"""Benchmark `airready site build` against a bare `mkdocs build` of as many plain pages.

    python bench/bench_site.py [--models 1000] [--repeat 3] [--seed 0] [--sizes 250 500]

For ``--models`` N it generates (once, cached under bench/out/site/) a synthetic
project with bench/synth.py and gives it the repository's site configuration
(site/mkdocs.yml and site/overrides/; site/assets/mermaid.min.js when present).  It
then times, in this one process:

  airready  `airready site build --project P --today 2026-11-01` run in-process
            through airready.cli.main, as a user runs it: load and check the
            inventory, score it, render every page with jinja2, write docs/, and
            build the HTML with MkDocs
  mkdocs    a bare MkDocs build (mkdocs.commands.build.build(load_config(...))) of a
            project with the same mkdocs.yml (theme, search plugin, Markdown
            extensions, nav) and the same page paths, each page plain Markdown prose
            (headings and paragraphs, no tables, no diagrams) of the same size in bytes
            as airready's page at that path

The two alternate (which goes first flips every round); before each timing the
garbage collector runs, and it stays on during the build, as in a real run.  The best
(minimum) of ``--repeat`` rounds counts for each.  The target is airready/mkdocs <=
1.5: everything airready does besides MkDocs, and the heavier pages it hands MkDocs,
must cost at most half again a plain site.

Then, for N and every ``--sizes`` count, it reports the size of the output: the bytes
of HTML per model page (mean and largest), per runbook, the model index, the search
index, and the whole site per model.  A model page must not grow with N; index pages
and the site as a whole grow linearly.  This is a report: it always exits 0 and prints
the verdict.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# This checkout's airready, whichever copy pip last installed in editable mode.
sys.path[:0] = [str(HERE), str(REPO)]

import bench_load  # noqa: E402  (bench/ is not a package)

OUT = HERE / "out" / "site"
TARGET = 1.5
TODAY = "2026-11-01"
MERMAID = REPO / "site" / "assets" / "mermaid.min.js"
PROSE = ("the model reads every ticket and drafts a reply that a person approves before "
         "it is sent while the gateway logs each request with its user and session so an "
         "incident responder can replay what happened and revoke what it held")
WORDS = PROSE.split()


def _site_config(project: Path) -> None:
    """The repository's site configuration, copied in (docs/ and public/ are left alone)."""
    site = project / "site"
    site.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "site" / "mkdocs.yml", site / "mkdocs.yml")
    if (site / "overrides").exists():
        shutil.rmtree(site / "overrides")
    shutil.copytree(REPO / "site" / "overrides", site / "overrides")
    shim = REPO / "site" / "assets" / "iframe-worker.js"
    if shim.is_file():  # offline search, as the repository's own site has it
        (site / "assets").mkdir(exist_ok=True)
        shutil.copyfile(shim, site / "assets" / shim.name)


def project_for(models: int, seed: int) -> Path:
    """The cached synthetic project (bench_load's generator) with the site config copied in."""
    target = bench_load.project_for(models, seed, OUT)
    _site_config(target)
    return target


def airready_build(project: Path) -> Callable[[], None]:
    """`airready site build` in-process, through the CLI's own entry point."""
    from airready.cli import main

    args = ["site", "build", "--project", str(project), "--today", TODAY]
    if MERMAID.is_file():
        args += ["--mermaid-js", str(MERMAID)]

    def run() -> None:
        try:
            main(args)
        except SystemExit as exc:
            if exc.code != 0:
                raise RuntimeError(f"airready {' '.join(args)} exited {exc.code}") from None
        else:  # pragma: no cover - main always exits
            raise RuntimeError("airready.cli.main returned without exiting")
    return run


def _prose(size: int, title: str, rng: Random) -> str:
    """Plain Markdown of ``size`` bytes: a title, then paragraphs under a few headings."""
    parts = [f"# {title}\n\n"]
    length = len(parts[0])
    section = 0
    while length < size:
        if section % 6 == 0:
            heading = f"## Section {section // 6 + 1}\n\n"
            parts.append(heading)
            length += len(heading)
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 90))]
        paragraph = (" ".join(words)).capitalize() + ".\n\n"
        parts.append(paragraph)
        length += len(paragraph)
        section += 1
    return "".join(parts)[:size].rstrip() + "\n"


def plain_project(project: Path, seed: int) -> Path:
    """A bare MkDocs project with airready's mkdocs.yml and plain pages of the same sizes."""
    docs = project / "site" / "docs"
    target = OUT / f"plain-{project.name}"
    if target.exists():
        shutil.rmtree(target)
    (target / "docs").mkdir(parents=True)
    shutil.copyfile(project / "site" / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(project / "site" / "overrides", target / "overrides")
    rng = Random(seed)
    for path in sorted(docs.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(docs)
        dest = target / "docs" / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".md":
            size = len(path.read_bytes())
            dest.write_text(_prose(size, relative.stem.replace("-", " "), rng),
                            encoding="utf-8")
        else:  # the same assets (mermaid-local.js)
            shutil.copyfile(path, dest)
    return target


def mkdocs_build(config_file: Path) -> Callable[[], None]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    def run() -> None:
        build(load_config(str(config_file)))
    return run


def phases(project: Path) -> dict[str, float]:
    """One build again, phase by phase, with the calls `airready site build` makes."""
    from airready.audit import load_all, long_lived, resolve_today, run_check
    from airready.inventory.config import load_project
    from airready.readiness import history
    from airready.readiness import scorecard as scoring
    from airready.rules.selection import select
    from airready.sitegen import build as sitebuild
    from airready.sitegen import provenance
    from airready.sitegen.pages import SiteInput, render_pages

    spent: dict[str, float] = {}
    gc.collect()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        spent[name] = now - clock
        clock = now

    loaded_project = load_project(project, Path.cwd())
    loaded = load_all(loaded_project)
    result = run_check(loaded, resolve_today(TODAY),
                       select(loaded.catalog, loaded.inventory)).result
    lap("load and check")
    with long_lived():
        card = scoring.build_scorecard(result)
    config = loaded_project.config
    entries = (history.read(project / config.history, config.history)
               if config.history else [])
    lap("scorecard")
    site = project / config.site
    site_config = sitebuild.load_site_config(site / "mkdocs.yml")
    found = provenance.gather(project, result.today, config.fail_on, config.repo_url)
    lap("site config and provenance (git)")
    pages = list(render_pages(SiteInput(result, card, entries,
                                        sitebuild.directory_urls(site_config), found,
                                        None, config.fail_on)))
    lap("render Markdown (sitegen)")
    sitebuild.write_docs(pages, site / "docs", MERMAID if MERMAID.is_file() else None,
                         sitebuild.find_worker_shim(site))
    lap("write docs/")
    sitebuild.prepare_config(site_config, found.extra(), None)
    sitebuild.run_mkdocs(site / "mkdocs.yml", config=site_config)
    lap("MkDocs on airready's pages")
    return spent


def timed(func: Callable[[], None]) -> float:
    gc.collect()
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def _quiet() -> None:
    """MkDocs logs every build at INFO; keep warnings only (both builds alike)."""
    import logging

    logging.getLogger("mkdocs").setLevel(logging.WARNING)


def sizes(project: Path) -> dict[str, float]:
    public = project / "site" / "public"
    models = [p for p in (public / "models").glob("*.html") if p.name != "index.html"]
    model_bytes = [p.stat().st_size for p in models]
    runbooks = [p.stat().st_size for p in (public / "runbooks").glob("*.html")]
    total = sum(p.stat().st_size for p in public.rglob("*") if p.is_file())
    return {
        "models": len(models),
        "model_mean": statistics.fmean(model_bytes),
        "model_max": max(model_bytes),
        "runbook_mean": statistics.fmean(runbooks),
        "model_index": (public / "models" / "index.html").stat().st_size,
        "search_index": (public / "search" / "search_index.json").stat().st_size,
        "total_per_model": total / len(models),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=1000, help="models to time (1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per build (3)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[250, 500],
                        help="other model counts whose output size to report (250 500)")
    args = parser.parse_args(argv)
    _quiet()
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs; mermaid.min.js {'local' if MERMAID.is_file() else 'absent'}")

    project = project_for(args.models, args.seed)
    air = airready_build(project)
    started = time.perf_counter()
    air()  # the first build writes docs/, from which the plain pages take their sizes
    print(f"  first airready build of N={args.models}: {time.perf_counter() - started:.1f}s",
          file=sys.stderr)
    plain = plain_project(project, args.seed)
    bare = mkdocs_build(plain / "mkdocs.yml")
    pages = sum(1 for _ in (project / "site" / "docs").rglob("*.md"))

    times: dict[str, list[float]] = {"airready": [], "mkdocs": []}
    for round_ in range(args.repeat):
        order = [("airready", air), ("mkdocs", bare)]
        if round_ % 2:
            order.reverse()
        for name, func in order:
            times[name].append(timed(func))
        print(f"  round {round_ + 1}: airready {times['airready'][-1]:.2f}s, "
              f"mkdocs {times['mkdocs'][-1]:.2f}s", file=sys.stderr)
    best = {name: min(values) for name, values in times.items()}
    ratio = best["airready"] / best["mkdocs"]
    print(f"\nN={args.models} models, {pages} pages, best of {args.repeat}:")
    print(f"  airready site build  {best['airready']:8.2f} s")
    print(f"  bare mkdocs build    {best['mkdocs']:8.2f} s   ({pages} plain pages, same sizes)")
    print(f"  ratio airready/mkdocs = {ratio:.2f} (target <= {TARGET}): "
          f"{'PASS' if ratio <= TARGET else 'FAIL'}")

    print("\nOne more airready build, phase by phase:")
    spent = phases(project)
    for name, seconds in spent.items():
        print(f"  {name:<28} {seconds:8.2f} s")
    print(f"  {'total':<28} {sum(spent.values()):8.2f} s")

    rows = {args.models: sizes(project)}
    for count in sorted(set(args.sizes) - {args.models}):
        other = project_for(count, args.seed)
        airready_build(other)()
        rows[count] = sizes(other)
    print("\nHTML output size (bytes):")
    print(f"  {'models':>7} {'model page':>11} {'largest':>9} {'runbook':>9} "
          f"{'models/index':>13} {'search index':>13} {'site/model':>11}")
    for count, row in sorted(rows.items()):
        print(f"  {count:>7} {row['model_mean']:>11,.0f} {row['model_max']:>9,} "
              f"{row['runbook_mean']:>9,.0f} {row['model_index']:>13,} "
              f"{row['search_index']:>13,} {row['total_per_model']:>11,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
