"""Every command as a user runs it, a whole process each, against bare libyaml parsing.

    bench/run                 # 1k and 10k models, 2 rounds, the site at 1k and 10k
    bench/run --quick         # 1k only, one round, no site: a quick look while working
    bench/run --no-site       # the command table only

Each measurement is a fresh ``python -m airready ...`` process (the console script's
entry point), its output written to a file, timed by the CPU time (user + system) and
peak RSS the kernel reports for it (``os.wait4``).  The baseline is a process that
parses every inventory file of the same project with libyaml
(``yaml.load_all(..., Loader=yaml.CSafeLoader)``) and keeps every document in memory.
Commands take turns with the baseline within each round (the order rotates every
round), and each keeps its best round, so a slow spell on a shared machine hits all of
them alike.  Ratios are of those bests, within one run.

Also measured: ``airready check`` on the bundled example against ``python -c "import
yaml"`` (with two floors beside it: a program that defines one pydantic model, and the
import of the inventory format), and ``airready site build`` against bare MkDocs
building plain pages of the same sizes at the same paths (bench_site's method), at 1k;
at 10k the site is built once to see that time per page stays flat.  It prints the
table and PASS or FAIL per target, and exits 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Beside the checkout (never needed by airready itself): real data for the import timing.
FEDERAL = (HERE.parent.parent / "shared" / "external" / "ai-inventory"
           / "2025_individually_reported_AI_use_cases.csv")
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_load  # noqa: E402
import bench_site  # noqa: E402

from airready.inventory.yamlsource import yaml_file_names  # noqa: E402

TODAY = "2026-11-25"
COMMANDS: list[tuple[str, list[str]]] = [
    ("validate", ["validate"]),
    ("check (text)", ["check", "--fail-on", "none"]),
    ("check --format json", ["check", "--fail-on", "none", "--format", "json"]),
    ("check --format sarif", ["check", "--fail-on", "none", "--format", "sarif"]),
    ("scorecard --format json", ["scorecard", "--format", "json"]),
    ("blast-radius", ["blast-radius", "vendor:cohere"]),
]
# The targets at 10k models: command / bare parsing.
TARGETS = {"validate": 1.2, "check (text)": 1.5, "check --format json": 2.0,
           "check --format sarif": 1.5, "scorecard --format json": 2.0, "blast-radius": 1.5}
RSS_TARGET = 4.0  # peak RSS of check --format json / the keep-everything parse's
GROWTH = 1.2  # time and memory per model at 10k / at 1k
STARTUP_TARGET = 3.0  # airready check on the example / python -c "import yaml"
SITE_TARGET = 1.5  # airready site build / bare MkDocs, at 1k
BASELINE = "bare libyaml parse"
PARSE = """\
import os, sys, yaml
names = open(sys.argv[1], encoding="utf-8").read().splitlines()
kept = [list(yaml.load_all(open(n, "rb").read(), Loader=yaml.CSafeLoader)) for n in names]
sys.stdout.flush()
os._exit(0)  # as airready's entry point: the documents are not torn down one by one
"""


@dataclass
class Sample:
    cpu: float
    rss_mb: float
    wall: float


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    @property
    def cpu(self) -> float:
        return min(s.cpu for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.samples)


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(AIRREADY_TODAY=TODAY, NO_COLOR="1")
    return env


def run_process(args: list[str], out: Path, ok: tuple[int, ...] = (0,)) -> Sample:
    """One process: its CPU time (user + system) and peak RSS, from the kernel."""
    with open(out, "wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE, cwd=REPO,
                                   env=environment())
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        raise RuntimeError(f"{' '.join(args)} exited {process.returncode}:\n"
                           f"{errors.decode(errors='replace')[-2000:]}")
    return Sample(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall)


def airready(*args: str) -> list[str]:
    return [sys.executable, "-m", "airready", *args]


def measure_commands(models: int, rounds: int, scratch: Path,
                     log: list[str]) -> dict[str, Series]:
    project = bench_load.project_for(models, 0)
    names = scratch / f"files-{models}.txt"
    inventory = project / "inventory"
    names.write_text("\n".join(yaml_file_names(inventory)) + "\n", encoding="utf-8")
    runs: list[tuple[str, list[str]]] = [(BASELINE, [sys.executable, "-c", PARSE, str(names)])]
    for label, args in COMMANDS:
        runs.append((label, airready(*args, "--project", str(project))))
    series = {label: Series() for label, _ in runs}
    for round_index in range(rounds):
        shift = round_index % len(runs)
        for label, args in runs[shift:] + runs[:shift]:
            sample = run_process(args, scratch / "out")
            series[label].samples.append(sample)
            log.append(f"  N={models} round {round_index + 1}: {label:<26} "
                       f"{sample.cpu:7.2f} s CPU {sample.rss_mb:7.0f} MB")
            print(log[-1], file=sys.stderr, flush=True)
    (scratch / "out").unlink(missing_ok=True)
    return series


# Floors under start-up that airready cannot go below while its format is pydantic models:
# the least a program that defines one pydantic model costs, and the import of the format.
ONE_MODEL = "from pydantic import BaseModel\nclass One(BaseModel):\n    name: str\n"
FORMAT = "import airready.inventory.model"


def measure_startup(rounds: int, scratch: Path) -> tuple[float, float, float, float]:
    """(check on the example, import yaml, one pydantic model, the format's import)."""
    check, bare, one, format_ = Series(), Series(), Series(), Series()
    out = scratch / "out"
    for _ in range(rounds):
        check.samples.append(run_process(airready("check", "--fail-on", "none"), out))
        bare.samples.append(run_process([sys.executable, "-c", "import yaml"], out))
        one.samples.append(run_process([sys.executable, "-c", ONE_MODEL], out))
        format_.samples.append(run_process([sys.executable, "-c", FORMAT], out))
    return check.cpu, bare.cpu, one.cpu, format_.cpu


def site_args(project: Path) -> list[str]:
    args = airready("site", "build", "--project", str(project), "--today", bench_site.TODAY)
    if bench_site.MERMAID.is_file():
        args += ["--mermaid-js", str(bench_site.MERMAID)]
    return args


def pages(project: Path) -> int:
    return sum(1 for _ in (project / "site" / "docs").rglob("*.md"))


def measure_site(models: int, rounds: int, scratch: Path, bare: bool,
                 log: list[str]) -> dict[str, float]:
    project = bench_site.project_for(models, 0)
    ours = Series()
    ours.samples.append(run_process(site_args(project), scratch / "out"))
    log.append(f"  site N={models}: airready {ours.samples[-1].cpu:.1f} s CPU")
    print(log[-1], file=sys.stderr, flush=True)
    result = {"pages": float(pages(project))}
    if bare:
        plain = bench_site.plain_project(project, 0)
        build = [sys.executable, "-c", "import sys\nfrom mkdocs.commands.build import build\n"
                 "from mkdocs.config import load_config\nbuild(load_config(sys.argv[1]))",
                 str(plain / "mkdocs.yml")]
        theirs = Series()
        for round_index in range(rounds):
            order = [(theirs, build), (ours, site_args(project))]
            for target, args in order if round_index % 2 else order[::-1]:
                target.samples.append(run_process(args, scratch / "out"))
            log.append(f"  site N={models} round {round_index + 1}: airready "
                       f"{ours.samples[-1].cpu:.1f} s, mkdocs {theirs.samples[-1].cpu:.1f} s")
            print(log[-1], file=sys.stderr, flush=True)
        result["mkdocs"] = theirs.cpu
    result["airready"] = ours.cpu
    result["rss_mb"] = ours.rss_mb
    return result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: dict[str, object], sizes: list[int]) -> tuple[list[str], bool]:
    """The table and the targets, as lines; and whether every target was met."""
    commands: dict[int, dict[str, Series]] = results["commands"]  # type: ignore[assignment]
    lines = []
    head = "| command | " + " | ".join(f"{n // 1000}k models" for n in sizes)
    big = max(sizes)
    head += f" | CPU s at {big // 1000}k | peak RSS at {big // 1000}k |"
    if len(sizes) > 1:
        head += " growth per model (time, RSS) |"
    lines += [head, "|---" * (head.count("|") - 1) + "|"]
    all_ok = True
    checks: list[tuple[str, bool]] = []
    for label in [BASELINE] + [label for label, _ in COMMANDS]:
        row = f"| {label} |"
        for n in sizes:
            base = commands[n][BASELINE].cpu
            row += f" {commands[n][label].cpu / base:.2f}x |"
        row += f" {commands[big][label].cpu:.2f} | {commands[big][label].rss_mb:,.0f} MB |"
        if len(sizes) > 1:
            small = min(sizes)
            scale = big / small
            time_growth = commands[big][label].cpu / (commands[small][label].cpu * scale)
            rss_growth = commands[big][label].rss_mb / (commands[small][label].rss_mb * scale)
            row += f" {time_growth:.2f}, {rss_growth:.2f} |"
            if label != BASELINE:
                checks.append((f"{label}: linear from {small // 1000}k to {big // 1000}k "
                               f"(time {time_growth:.2f}, RSS {rss_growth:.2f} per model, "
                               f"<= {GROWTH})", time_growth <= GROWTH and rss_growth <= GROWTH))
        lines.append(row)
        if label in TARGETS and big >= 10000:
            ratio = commands[big][label].cpu / commands[big][BASELINE].cpu
            checks.append((f"{label} at {big // 1000}k: {ratio:.2f}x (<= {TARGETS[label]})",
                           ratio <= TARGETS[label]))
    if big >= 10000:
        rss = (commands[big]["check --format json"].rss_mb
               / commands[big][BASELINE].rss_mb)
        checks.append((f"peak RSS of check --format json at {big // 1000}k: {rss:.2f}x the "
                       f"parse's (<= {RSS_TARGET})", rss <= RSS_TARGET))
    check_cpu, yaml_cpu, one_cpu, format_cpu = results["startup"]  # type: ignore[misc]
    startup = check_cpu / yaml_cpu
    lines += ["", f"airready check on the example: {check_cpu:.3f} s CPU; python -c "
              f"\"import yaml\": {yaml_cpu:.3f} s; {startup:.2f}x",
              f"floors: a program defining one pydantic model {one_cpu:.3f} s "
              f"({one_cpu / yaml_cpu:.2f}x); `{FORMAT}` {format_cpu:.3f} s "
              f"({format_cpu / yaml_cpu:.2f}x)"]
    checks.append((f"check on the example: {startup:.2f}x import yaml (<= {STARTUP_TARGET})",
                   startup <= STARTUP_TARGET))
    site: dict[int, dict[str, float]] = results.get("site", {})  # type: ignore[assignment]
    if site:
        lines.append("")
        lines.append("| site build | pages | airready CPU s | per page ms | bare MkDocs CPU s "
                     "| ratio | peak RSS |")
        lines.append("|---|---|---|---|---|---|---|")
        for n, row in sorted(site.items()):
            per_page = 1000 * row["airready"] / row["pages"]
            mkdocs = f"{row['mkdocs']:.1f}" if "mkdocs" in row else "-"
            ratio = f"{row['airready'] / row['mkdocs']:.2f}x" if "mkdocs" in row else "-"
            lines.append(f"| {n // 1000}k models | {row['pages']:,.0f} | {row['airready']:.1f} | "
                         f"{per_page:.1f} | {mkdocs} | {ratio} | {row['rss_mb']:,.0f} MB |")
            if "mkdocs" in row:
                ratio_value = row["airready"] / row["mkdocs"]
                checks.append((f"site build at {n // 1000}k: {ratio_value:.2f}x bare MkDocs "
                               f"(<= {SITE_TARGET})", ratio_value <= SITE_TARGET))
        if len(site) > 1:
            small, large = min(site), max(site)
            flat = ((site[large]["airready"] / site[large]["pages"])
                    / (site[small]["airready"] / site[small]["pages"]))
            checks.append((f"site time per page {large // 1000}k / {small // 1000}k: "
                           f"{flat:.2f} (<= {GROWTH})", flat <= GROWTH))
    lines.append("")
    for text, ok in checks:
        lines.append(f"{verdict(ok)}  {text}")
        all_ok = all_ok and ok
    return lines, all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k only, one round, no site")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per size (default 2)")
    parser.add_argument("--models", type=int, nargs="+", default=None)
    parser.add_argument("--no-site", action="store_true")
    parser.add_argument("--no-federal", action="store_true",
                        help="skip importing and checking the federal AI use case inventory")
    args = parser.parse_args(argv)
    sizes = args.models or ([1000] if args.quick else [1000, 10000])
    rounds = args.rounds or (1 if args.quick else 2)
    site = not (args.quick or args.no_site)
    started = time.perf_counter()
    # Compile airready's modules once, as an installed package has them compiled.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "airready")],
                   check=True, env=environment(), stdout=subprocess.DEVNULL)
    log: list[str] = []
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="airready-bench-") as tmp:
        scratch = Path(tmp)
        run_process(airready("check", "--fail-on", "none"), scratch / "out")  # warm up
        results["startup"] = measure_startup(max(5, rounds * 3), scratch)
        results["commands"] = {n: measure_commands(n, rounds, scratch, log) for n in sizes}
        if site:
            results["site"] = {n: measure_site(n, rounds, scratch, n == min(sizes), log)
                               for n in sizes}
    lines, ok = report(results, sizes)
    if not (args.quick or args.no_federal) and FEDERAL.is_file():
        # The real data of issue 16: `import omb-inventory` of the whole federal file, then
        # `check` of what it made, against bare csv parsing (bench_import.py's method).
        done = subprocess.run([sys.executable, str(HERE / "bench_import.py"), "--repeat",
                               str(rounds), "--csv", str(FEDERAL)], capture_output=True,
                              text=True, env=environment(), check=False)
        lines += ["", "Federal AI use case inventory (3,611 rows), import + check, "
                  "whole processes:"]
        lines += ["  " + line for line in done.stdout.splitlines()]
        if done.returncode != 0:
            lines.append(f"  FAIL: bench_import.py exited {done.returncode}: "
                         + done.stderr.strip()[-300:])
            ok = False
    header = (f"bench/run {dt.date.today().isoformat()}: {platform.machine()} "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
              f"Python {platform.python_version()}, "
              f"{'quick: ' if args.quick else ''}{rounds} round(s), "
              f"{time.perf_counter() - started:.0f} s")
    print(header)
    print()
    print("\n".join(lines))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    record = out / f"run-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.txt"
    record.write_text(header + "\n\n" + "\n".join(lines) + "\n\n" + "\n".join(log) + "\n",
                      encoding="utf-8")
    print(f"\n(written to {record.relative_to(REPO)}; rounds in it)", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
