"""Screenshots of the example's auditor site for docs/site.md, taken in headless Chromium.

    python docs/screenshots.py [--out docs/img] [--today 2026-11-25]

Copies the example project (the repository root) into a temporary folder, builds its
site there with `airready site build` (the repository's own site/ is left alone), serves
it on 127.0.0.1 and saves, at 1440 px (desktop, the whole page) and 390 px (a phone, the
first two screens):

    dashboard-1440.png  dashboard-390.png  models-1440.png  models-390.png

Needs Playwright and Chromium (/usr/bin/chromium, or $AIRREADY_CHROMIUM) and, for the
diagrams, site/assets/mermaid.min.js (bash .ci/fetch-mermaid).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PARTS = ("airready.yaml", "inventory", "reports", "controls")
SITE_PARTS = ("mkdocs.yml", "overrides", "assets")
SHOTS = {"dashboard": "index.html", "models": "models/index.html"}
SIZES = {1440: (1440, 900, None), 390: (390, 844, 2 * 844)}  # width, height, clip height


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def build(dest: Path, today: str) -> Path:
    """The example copied into ``dest`` and its site built; returns site/public."""
    from airready.cli import main

    for part in PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            shutil.copyfile(source, dest / part)
    (dest / "site").mkdir()
    for part in SITE_PARTS:
        source = REPO / "site" / part
        if source.is_dir():
            shutil.copytree(source, dest / "site" / part)
        elif source.is_file():
            shutil.copyfile(source, dest / "site" / part)
    try:
        main(["site", "build", "--project", str(dest), "--today", today])
    except SystemExit as exc:
        if exc.code != 0:
            raise SystemExit(f"airready site build exited {exc.code}") from None
    return dest / "site" / "public"


def shoot(public: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    chromium = os.environ.get("AIRREADY_CHROMIUM", "/usr/bin/chromium")
    saved = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for width, (_, height, clip) in SIZES.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                for name, path in SHOTS.items():
                    tab = context.new_page()
                    tab.goto(base + path, wait_until="networkidle")
                    target = out / f"{name}-{width}.png"
                    if clip:
                        tab.screenshot(path=str(target), full_page=True,
                                       clip={"x": 0, "y": 0, "width": width, "height": clip})
                    else:
                        tab.screenshot(path=str(target), full_page=True)
                    saved.append(target)
                    tab.close()
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    parser.add_argument("--today", default="2026-11-25", help="the audit day (2026-11-25)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))  # this checkout's airready
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        public = build(Path(tmp), args.today)
        for path in shoot(public, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
