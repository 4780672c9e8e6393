"""Benchmark airready's YAML loader against plain PyYAML with libyaml (CSafeLoader).

    python bench/bench_load.py [--models 1000 10000] [--repeat 3] [--seed 0]

For each N it generates (once, cached under bench/out/) a synthetic project with
bench/synth.py, then, in this one process, times two ways of reading every
inventory file:

  baseline  list(yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader))
  airready  airready.inventory.yamlsource.load_file(path, shown)

Both results are checked to hold the same data before anything is timed.

The two alternate: in each round both read every file, taking turns chunk by chunk
(every ``--chunk-kb`` of YAML, 256 KB by default; which goes first flips every
chunk and every round), so a slow spell of a shared machine hits both alike.  A
round's time for a loader is the sum over its chunks; there are ``--repeat`` rounds
and the best (minimum) round counts for each loader.  Before each timing the garbage
collector runs, and it is disabled while timing, for both alike.  Results are
dropped after the clock stops (neither pays for freeing them).  airready's resolver
memo is emptied at the start of each round, as cold as a fresh ``airready`` process.

With ``--gc-on`` it also times whole passes the way ``airready validate`` runs
them: collector on, every result kept until the pass ends (informative, no target).

The target is airready/baseline <= 1.0: the loader's extra checks (duplicate keys,
alias bombs, unknown tags) and positions must not cost more than PyYAML's own
construction.  This is a report: it always exits 0 and prints the verdict.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402  (bench/ is not a package)

from airready.inventory import yamlsource  # noqa: E402
from airready.inventory.config import load_project  # noqa: E402
from airready.inventory.validate import inventory_files  # noqa: E402

OUT = HERE / "out"
STAMP = ".synth-stamp"
TARGET = 1.0


def _stamp(models: int, seed: int) -> str:
    source = (HERE / "synth.py").read_bytes()
    return f"models={models} seed={seed} synth={hashlib.sha256(source).hexdigest()}\n"


def project_for(models: int, seed: int, out: Path = OUT) -> Path:
    """The cached synthetic project for ``models`` under ``out``; regenerated when synth.py
    changes."""
    target = out / f"models-{models}-seed-{seed}"
    stamp = _stamp(models, seed)
    stamp_file = target / STAMP
    if stamp_file.is_file() and stamp_file.read_text(encoding="utf-8") == stamp:
        return target
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".{target.name}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    started = time.perf_counter()
    counts = synth.generate(staging, models, seed)
    (staging / STAMP).write_text(stamp, encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    print(f"  generated N={models}: {counts['files']} files, {counts['bytes'] / 1e6:.1f} MB "
          f"in {time.perf_counter() - started:.1f}s -> {target}", file=sys.stderr)
    return target


def run_baseline(files: list[tuple[Path, str]]) -> list[Any]:
    loader = yaml.CSafeLoader
    return [list(yaml.load_all(path.read_bytes(), Loader=loader)) for path, _ in files]


def run_airready(files: list[tuple[Path, str]]) -> list[Any]:
    load_file = yamlsource.load_file
    return [load_file(path, shown) for path, shown in files]


def _reset_airready_caches() -> None:
    """Empty the loader's resolver memo, as a fresh process would have it."""
    composer = getattr(yamlsource, "_Composer", None)
    cache = getattr(composer, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def timed(func: Callable[[list[tuple[Path, str]]], list[Any]],
          files: list[tuple[Path, str]]) -> float:
    """Seconds ``func`` takes over ``files``: gc collected before, disabled during.

    The results are dropped after the clock stops, so neither loader pays for freeing
    them and memory stays flat however many files there are.
    """
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        result = func(files)
        elapsed = time.perf_counter() - started
    finally:
        gc.enable()
    del result
    return elapsed


def chunks(files: list[tuple[Path, str]], chunk_bytes: int) -> list[list[tuple[Path, str]]]:
    out: list[list[tuple[Path, str]]] = [[]]
    size = 0
    for path, shown in files:
        if size >= chunk_bytes:
            out.append([])
            size = 0
        out[-1].append((path, shown))
        size += path.stat().st_size
    return out


def one_round(parts: list[list[tuple[Path, str]]], flip: bool) -> tuple[float, float]:
    """Both loaders over every file, alternating chunk by chunk; total seconds of each.

    Alternating every few hundred kilobytes (rather than whole passes) means a slow
    spell of a shared machine hits both loaders alike instead of one of them.
    """
    _reset_airready_caches()  # each round starts as cold as a fresh process
    base = ours = 0.0
    for i, part in enumerate(parts):
        if (i % 2 == 0) != flip:
            base += timed(run_baseline, part)
            ours += timed(run_airready, part)
        else:
            ours += timed(run_airready, part)
            base += timed(run_baseline, part)
    return base, ours


def validate_like(func: Callable[[list[tuple[Path, str]]], list[Any]],
                  files: list[tuple[Path, str]]) -> float:
    """One whole pass as ``airready validate`` runs: gc on, every result kept to the end."""
    gc.collect()
    started = time.perf_counter()
    result = func(files)
    elapsed = time.perf_counter() - started
    del result
    gc.collect()
    return elapsed


def check_same(files: list[tuple[Path, str]], sample: int = 2000) -> int:
    """Both loaders must read the same data, and airready report no problem.

    Every file is read once (warming the page cache for both); up to ``sample`` of them,
    evenly spread, are loaded both ways and compared.  Returns the number of documents.
    """
    docs = 0
    step = max(1, -(-len(files) // sample))
    for i, (path, shown) in enumerate(files):
        raw = path.read_bytes()
        if i % step:
            docs += raw.count(b"\n---\n") + 1  # synth.py writes one '---' between documents
            continue
        expected = [d for d in yaml.load_all(raw, Loader=yaml.CSafeLoader) if d is not None]
        got, problems = yamlsource.load_file(path, shown)
        if problems:
            raise SystemExit(f"airready reports problems in {shown}: {problems[:3]}")
        if [d.data for d in got] != expected:
            raise SystemExit(f"airready and the baseline read {shown} differently")
        docs += len(got)
    return docs


def measure(models: int, seed: int, repeat: int, chunk_bytes: int,
            gc_on: bool = False) -> dict[str, Any]:
    root = project_for(models, seed)
    project = load_project(root, root)
    files, problems = inventory_files(project)
    if problems:
        raise SystemExit(f"the synthetic project is broken: {problems[:3]}")
    size = sum(path.stat().st_size for path, _ in files)
    docs = check_same(files)  # also a warm-up: files are in the page cache from here on
    parts = chunks(files, chunk_bytes)
    base: list[float] = []
    ours: list[float] = []
    for round_ in range(repeat):
        b, o = one_round(parts, flip=round_ % 2 == 1)
        base.append(b)
        ours.append(o)
        print(f"  N={models} round {round_ + 1}/{repeat}: baseline {b:.3f}s, "
              f"airready {o:.3f}s (ratio {o / b:.2f})", file=sys.stderr)
    row: dict[str, Any] = {
        "models": models, "files": len(files), "docs": docs, "mb": size / 1e6,
        "baseline": min(base), "airready": min(ours), "ratio": min(ours) / min(base),
    }
    if gc_on:
        base_gc: list[float] = []
        ours_gc: list[float] = []
        for round_ in range(repeat):
            _reset_airready_caches()
            if round_ % 2 == 0:
                base_gc.append(validate_like(run_baseline, files))
                ours_gc.append(validate_like(run_airready, files))
            else:
                ours_gc.append(validate_like(run_airready, files))
                base_gc.append(validate_like(run_baseline, files))
            print(f"  N={models} gc-on round {round_ + 1}/{repeat}: baseline "
                  f"{base_gc[-1]:.3f}s, airready {ours_gc[-1]:.3f}s "
                  f"(ratio {ours_gc[-1] / base_gc[-1]:.2f})", file=sys.stderr)
        row["gc"] = {"baseline": min(base_gc), "airready": min(ours_gc),
                     "ratio": min(ours_gc) / min(base_gc)}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, nargs="+", default=[1000, 10000],
                        help="model counts to benchmark (default: 1000 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per loader")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--chunk-kb", type=int, default=256,
                        help="alternate the loaders every this many KB of YAML (default 256)")
    parser.add_argument("--gc-on", action="store_true",
                        help="also time whole passes with the garbage collector on and every "
                             "result kept, as `airready validate` runs (slow: minutes at 10000)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.chunk_kb < 1 or any(n < 1 for n in args.models):
        parser.error("--models, --repeat and --chunk-kb must be positive")

    print(f"python {platform.python_version()}, PyYAML {yaml.__version__} "
          f"(libyaml: {yaml.__with_libyaml__}), {os.cpu_count()} cpu(s), "
          f"{platform.machine()} {platform.system()}")
    loader_source = Path(yamlsource.__file__).read_bytes()
    print(f"airready/yamlsource.py sha256 {hashlib.sha256(loader_source).hexdigest()[:12]}")
    started = time.perf_counter()
    rows = [measure(n, args.seed, args.repeat, args.chunk_kb * 1024, args.gc_on)
            for n in args.models]

    header = (f"{'N':>7} {'files':>7} {'docs':>7} {'MB':>7} {'baseline s':>11} "
              f"{'airready s':>11} {'ratio':>7} {'target':>7}  verdict")
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        verdict = "PASS" if row["ratio"] <= TARGET else "FAIL"
        print(f"{row['models']:>7} {row['files']:>7} {row['docs']:>7} {row['mb']:>7.1f} "
              f"{row['baseline']:>11.3f} {row['airready']:>11.3f} {row['ratio']:>7.2f} "
              f"{'<= ' + format(TARGET, '.1f'):>7}  {verdict}")
    if args.gc_on:
        print()
        print("gc on, every result kept (as `airready validate` runs; informative, no target):")
        print(f"{'N':>7} {'baseline s':>11} {'airready s':>11} {'ratio':>7}")
        for row in rows:
            g = row["gc"]
            print(f"{row['models']:>7} {g['baseline']:>11.3f} {g['airready']:>11.3f} "
                  f"{g['ratio']:>7.2f}")
    print()
    failed = [r for r in rows if r["ratio"] > TARGET]
    if failed:
        print("VERDICT: FAIL - airready's loader is slower than the baseline at N="
              + ", ".join(str(r["models"]) for r in failed))
    else:
        print("VERDICT: PASS - airready's loader is no slower than the baseline at every N")
    print(f"(best of {args.repeat} rounds each; total {time.perf_counter() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
