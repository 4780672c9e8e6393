"""The process entry point (``python -m airready`` and the ``airready`` command).

A large audit holds millions of small objects; tearing them down one by one at exit cost
a tenth of the run, and the operating system frees the whole process at once anyway.
So the process entry flushes its output and leaves without that teardown.  ``cli.main``
(which tests and embedding programs call in-process) exits the ordinary way.
"""

from __future__ import annotations

import contextlib
import os
import sys

from .cli import main


def run() -> None:
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):  # sys.exit("message"), as Python does
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream: there is nothing more to deliver.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    run()
