"""Check the site's mkdocs.yml before MkDocs reads it: it is project input like the inventory.

MkDocs loads mkdocs.yml with PyYAML's full loader, which runs ``!!python/object/apply``
and friends, reads environment variables (``!ENV``) and runs ``hooks:`` scripts, so a pull
request that edits it could run code on, or read secrets from, the machine that builds the
site.  Here the file is composed (never constructed) and every tag is looked at first:
only the ``!!python/name:`` references a site needs pass.  Once MkDocs has read it, the
folders it names must stay inside the site folder, because MkDocs empties ``site_dir``
before it builds and publishes whatever ``docs_dir`` holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..inventory.files import is_inside
from ..inventory.problems import Problem

PYTHON_NAME = "tag:yaml.org,2002:python/name:"
# Functions that Material and pymdownx document for mkdocs.yml: formatters and emoji sets.
ALLOWED_NAMES = frozenset({
    "pymdownx.superfences.fence_code_format",
    "pymdownx.superfences.fence_div_format",
    "material.extensions.emoji.twemoji",
    "material.extensions.emoji.to_svg",
})
_PLAIN = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge"))
MAX_BYTES = 1024 * 1024


def _problem(shown: str, node: Node | None, message: str) -> Problem:
    line, column = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
    return Problem(shown, line, column, message, code="site")


def _nodes(root: Node) -> Iterator[Node]:
    """Every node once (aliases share nodes), without recursion."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack += [value, key]
        elif isinstance(node, SequenceNode):
            stack += reversed(node.value)


def _tag_problem(shown: str, node: Node) -> Problem | None:
    tag = str(node.tag)
    if tag in _PLAIN:
        return None
    if (tag.startswith(PYTHON_NAME) and tag[len(PYTHON_NAME):] in ALLOWED_NAMES
            and isinstance(node, ScalarNode) and node.value == ""):
        return None
    short = tag.replace("tag:yaml.org,2002:", "!!")
    allowed = ", ".join(f"!!python/name:{name}" for name in sorted(ALLOWED_NAMES))
    return _problem(shown, node, f"the tag {short[:80]!r} is not allowed in the site "
                    "configuration: MkDocs would run or read something outside the project "
                    f"with it (allowed: plain YAML and {allowed})")


def check_tags(config_file: Path, shown: str, project_root: Path,
               seen: frozenset[str] = frozenset()) -> list[Problem]:
    """Problems with ``config_file`` (and any file it INHERITs) before MkDocs loads it."""
    if not is_inside(config_file, project_root):
        return [_problem(shown, None, "the site configuration leads outside the project "
                         "folder (a symlink?): it is not read")]
    real = os.path.realpath(config_file)
    if real in seen:
        return [_problem(shown, None, "INHERIT goes round in a circle")]
    try:
        with open(real, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return [_problem(shown, None, f"cannot read the site configuration: {exc.strerror}")]
    if len(raw) > MAX_BYTES:
        return [_problem(shown, None, f"the site configuration is over {MAX_BYTES:,} bytes")]
    try:
        root = yaml.compose(raw, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [Problem(shown, line, column, f"YAML does not parse: {exc.problem or exc}",
                        code="site")]
    except (yaml.YAMLError, RecursionError, UnicodeDecodeError) as exc:
        reason = "nesting too deep" if isinstance(exc, RecursionError) else str(exc)
        return [_problem(shown, None, f"YAML does not parse: {reason}")]
    if root is None:
        return []
    problems = [p for p in (_tag_problem(shown, n) for n in _nodes(root)) if p is not None]
    if problems or not isinstance(root, MappingNode):
        return problems
    for key, value in root.value:
        if not isinstance(key, ScalarNode):
            continue
        if key.value == "hooks" and not (isinstance(value, SequenceNode) and not value.value):
            problems.append(_problem(shown, key, "hooks: MkDocs runs these Python scripts "
                                     "while it reads the configuration; airready does not "
                                     "build a site with hooks (remove them)"))
        elif key.value == "INHERIT" and isinstance(value, ScalarNode):
            parent = Path(real).parent / value.value
            problems += check_tags(parent, f"{shown} (INHERIT {value.value})", project_root,
                                   seen | {real})
    return problems


def check_folders(config: Any, shown: str, site_dir: Path, project_root: Path
                  ) -> list[Problem]:
    """The folders MkDocs read from mkdocs.yml: docs_dir is where airready writes the pages,
    site_dir lies inside the site folder, a theme's custom_dir inside the project."""
    problems = []
    docs = config["docs_dir"]
    if os.path.realpath(docs) != os.path.realpath(site_dir / "docs"):
        problems.append(_problem(shown, None, f"docs_dir: airready writes the pages into "
                                 f"{site_dir / 'docs'}; docs_dir must name it ('docs', not "
                                 "a folder elsewhere or a symlink)"))
    public = config["site_dir"]
    if not is_inside(public, site_dir) or os.path.realpath(public) == os.path.realpath(site_dir):
        problems.append(_problem(shown, None, "site_dir: the HTML goes into a folder inside "
                                 f"{site_dir} (MkDocs empties site_dir before it builds)"))
    theme = config.get("theme")
    custom = getattr(theme, "custom_dir", None) if theme is not None else None
    if custom and not is_inside(custom, project_root):
        problems.append(_problem(shown, None, "theme.custom_dir: the theme's templates must "
                                 "be inside the project folder"))
    return problems
