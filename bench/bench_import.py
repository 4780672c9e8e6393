"""Time `airready import omb-inventory` of the whole federal file, then `airready check` of it.

    python bench/bench_import.py [--repeat 3] [--csv PATH]

Each round runs, as whole processes, in an order that flips every round:

  baseline  python -c "read every row of the CSV with the csv module"
  import    airready import omb-inventory CSV --out <fresh folder>
  check     airready check --project <that folder> --format json --output <file>

The baseline is the least any importer must do (start Python, decode and split the file),
measured in the same run so the ratios hold on a busy or a quiet machine alike.  The best
(minimum) of ``--repeat`` rounds counts for each.  It prints the times and the ratios
import/baseline, check/baseline and (import + check)/baseline.  It checks that the import
exits 0 and the check exits 1 (real gaps), and exits 1 itself when they do not; it sets no
target on the times.

The CSV is the 2025 federal inventory beside the repository (../shared/external/...),
which only benchmarks and tests read; give another with --csv.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CSV = (REPO.parent / "shared" / "external" / "ai-inventory"
               / "2025_individually_reported_AI_use_cases.csv")
BASELINE = ("import csv, sys\n"
            "with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n"
            "    rows = sum(1 for _ in csv.DictReader(f))\n"
            "print(rows)\n")


def _airready() -> list[str]:
    return [sys.executable, "-m", "airready"]


def _timed(command: list[str], expect: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
        raise SystemExit(f"{' '.join(command[:4])}... exited {done.returncode}, "
                         f"expected {expect}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        raise SystemExit(f"{args.csv}: no such file (give --csv)")
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, "
          f"{args.csv.name} ({args.csv.stat().st_size:,} bytes), best of {args.repeat}")
    best = {"baseline": float("inf"), "import": float("inf"), "check": float("inf")}
    work = Path(tempfile.mkdtemp(prefix="airready-bench-import-"))
    try:
        for round_ in range(args.repeat):
            out = work / f"round-{round_}"
            steps = [("baseline", [sys.executable, "-c", BASELINE, str(args.csv)], 0)]
            airready = [("import", [*_airready(), "import", "omb-inventory", str(args.csv),
                                    "--out", str(out)], 0),
                        ("check", [*_airready(), "check", "--project", str(out), "--format",
                                   "json", "--output", str(work / "check.json")], 1)]
            order = steps + airready if round_ % 2 == 0 else airready + steps
            times = {name: _timed(command, expect) for name, command, expect in order}
            for name, seconds in times.items():
                best[name] = min(best[name], seconds)
            print(f"round {round_ + 1}: " + ", ".join(f"{n} {t:.2f} s" for n, t in
                                                    times.items()))
            shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = best["baseline"]
    total = best["import"] + best["check"]
    print(f"best: baseline {base:.2f} s, import {best['import']:.2f} s, "
          f"check {best['check']:.2f} s")
    print(f"ratios: import/baseline {best['import'] / base:.1f}, "
          f"check/baseline {best['check'] / base:.1f}, "
          f"(import+check)/baseline {total / base:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
