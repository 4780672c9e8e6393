"""Benchmark a whole ``airready check`` against bare libyaml parsing of the same files.

    python bench/bench_check.py [--models 10000] [--repeat 2]

Both run in this process, alternating, best of ``--repeat`` rounds each:

  baseline  list(yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader)) per file
  check     load + validate + references + graph warnings + catalog + evaluate every
            control on every target + waivers (what ``airready check`` does before it
            prints), with the same airready functions the command uses

Target: check / baseline <= 1.5.  It is a report: it prints the verdict and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_load import project_for  # noqa: E402

from airready.audit import load_all, run_check  # noqa: E402
from airready.inventory.config import load_project  # noqa: E402
from airready.inventory.validate import inventory_files  # noqa: E402
from airready.rules.selection import select  # noqa: E402

TARGET = 1.5
TODAY = dt.date(2026, 11, 25)


def baseline(files: list[Path]) -> float:
    gc.collect()
    start = time.perf_counter()
    for path in files:
        list(yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader))
    return time.perf_counter() - start


def check(root: Path) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    project = load_project(root, root)
    loaded = load_all(project)
    run = run_check(loaded, TODAY, select(loaded.catalog, loaded.inventory))
    elapsed = time.perf_counter() - start
    count = len(run.result.findings)
    del run, loaded
    gc.unfreeze()  # what long_lived() froze belongs to this round only
    gc.collect()
    return elapsed, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"{'N':>7} {'findings':>9} {'baseline s':>11} {'check s':>9} {'ratio':>7}  verdict")
    for models in args.models:
        root = project_for(models, args.seed)
        project = load_project(root, root)
        files = [path for path, _ in inventory_files(project)[0]]
        base_times, check_times = [], []
        findings = 0
        for round_index in range(args.repeat):
            if round_index % 2:
                elapsed, findings = check(root)
                check_times.append(elapsed)
                base_times.append(baseline(files))
            else:
                base_times.append(baseline(files))
                elapsed, findings = check(root)
                check_times.append(elapsed)
        ratio = min(check_times) / min(base_times)
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        print(f"{models:>7} {findings:>9} {min(base_times):>11.2f} {min(check_times):>9.2f} "
              f"{ratio:>7.2f}  {verdict} (target <= {TARGET})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
