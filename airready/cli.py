"""The command line: parses arguments, calls the core, prints, and picks the exit code.

Exit codes: 0 ran clean, 1 readiness gaps at or above the threshold, 2 invalid input
or misuse.  Nothing the user feeds in ends in a traceback (``--debug`` shows one for
airready's own bugs).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import Project, load_project
from .files import write_atomic
from .inventory import Inventory
from .problems import InputError, Problem, has_errors
from .schema_export import all_schemas, combined_schema, dumps
from .validate import load_inventory

F = TypeVar("F", bound=Callable[..., Any])
EXIT_OK, EXIT_GAPS, EXIT_INVALID = 0, 1, 2


def project_option(func: F) -> F:
    return click.option(
        "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Project folder holding airready.yaml (default: the nearest one at or above "
             "the current folder).",
    )(func)


def _open_project(project_dir: Path | None) -> Project:
    return load_project(project_dir, Path.cwd())


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(problem.render(), err=False)


def _load(project_dir: Path | None) -> tuple[Project, Inventory, list[Problem]]:
    """Project and inventory; raises InputError when the inventory has errors."""
    project = _open_project(project_dir)
    inventory, problems = load_inventory(project)
    if has_errors(problems):
        raise InputError(problems)
    return project, inventory, problems


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
    inventory, problems = load_inventory(project)
    _print_problems(problems)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({s.file for s in inventory.sources.values()})
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s): the inventory is invalid", err=True)
        return EXIT_INVALID
    click.echo(f"ok: {len(inventory.entities)} entities in {files} files"
               + (f", {warnings} warning(s)" if warnings else ""), err=True)
    return EXIT_OK


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one schema per kind, plus airready.schema.json, into this folder.")
def schema(out_dir: Path | None) -> int:
    """Print the JSON Schema of the inventory format, or write one file per kind."""
    if out_dir is None:
        click.echo(dumps(combined_schema()), nl=False)
        return EXIT_OK
    changed = 0
    for name, document in all_schemas().items():
        changed += write_atomic(out_dir / name, dumps(document))
    click.echo(f"wrote {changed} schema file(s) to {out_dir} "
               f"({len(all_schemas()) - changed} unchanged)", err=True)
    return EXIT_OK


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("AIRREADY_DEBUG") == "1"


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = cli.main(args=args, prog_name="airready", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = EXIT_INVALID
    except click.ClickException as exc:
        exc.show()
        code = EXIT_INVALID
    except InputError as exc:
        _print_problems(exc.problems)
        errors = sum(p.level == "error" for p in exc.problems)
        click.echo(f"{errors} error(s): the input is invalid", err=True)
        code = EXIT_INVALID
    except BrokenPipeError:
        code = EXIT_OK
    except Exception as exc:  # airready's own bug: short message, traceback only on --debug
        if _debug_requested(args):
            traceback.print_exc()
        click.echo(f"airready: internal error: {type(exc).__name__}: {exc} "
                   "(rerun with --debug for the traceback)", err=True)
        code = EXIT_INVALID
    sys.exit(code if isinstance(code, int) else EXIT_OK)


__all__ = ["cli", "main"]
