"""The CLI run in-process for the validate tests, with the shipped catalog parsed once.

``airready validate`` also checks the control catalog; parsing the builtin one costs
about a tenth of a second per run, which the many case folders would pay again and
again.  ``builtin_catalog_once`` keeps what the loader returned for the package's own
catalog files (a project's files are always read from disk).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import airready.rules.catalog
from airready.cli import main

_PARSED: dict[tuple[Path, str], Any] = {}


@pytest.fixture(autouse=True)
def builtin_catalog_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real = airready.rules.catalog.load_file

    def load_file(path: Path, shown: str, *args: Any, **kwargs: Any) -> Any:
        if airready.rules.catalog.BUILTIN_DIR not in path.parents or args or kwargs:
            return real(path, shown, *args, **kwargs)
        if (path, shown) not in _PARSED:
            _PARSED[path, shown] = real(path, shown)
        docs, problems = _PARSED[path, shown]
        return list(docs), list(problems)

    monkeypatch.setattr(airready.rules.catalog, "load_file", load_file)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``airready ARGS`` in-process: exit code, standard output, standard error."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err
