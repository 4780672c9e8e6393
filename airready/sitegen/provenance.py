"""Where a site came from: the airready version, the audited commit and whether the tree
was clean, when it was built, the audit day and the gate's threshold; and the links from a
finding to its source line at that commit.

Git is asked, never required: outside a repository (or without git) there is no commit,
the provenance says so and "where" stays plain text.  A remote URL is published only in
its https form with any user name or token in it removed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from .. import __version__

_SCP = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$")  # git@host:org/repo.git


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def web_url(remote: str | None) -> str | None:
    """A git remote as the https address of the repository, without credentials."""
    if not remote:
        return None
    remote = remote.strip()
    host, path = "", ""
    parts = urlsplit(remote)
    if parts.scheme in ("http", "https", "ssh", "git", "git+ssh") and parts.hostname:
        host, path = parts.hostname, parts.path
        if parts.scheme in ("http", "https") and parts.port:
            host = f"{host}:{parts.port}"
    elif (match := _SCP.match(remote)) and "/" not in match.group(1):
        host, path = match.group(1), "/" + match.group(2)
    if not host or not path.strip("/"):
        return None
    path = path.rstrip("/").removesuffix(".git")
    return urlunsplit(("https", host, path, "", ""))


def source_link(repo_url: str, commit: str, path: str, line: int) -> str:
    """The address of ``path`` at ``line`` in the forge's file view, at ``commit``.

    ``repo_url`` may spell the pattern out with ``{commit}``, ``{path}`` and ``{line}``;
    otherwise the forge is told by its host (GitLab, Bitbucket, Gitea and Codeberg differ
    from GitHub, whose pattern is the default).
    """
    quoted = quote(path, safe="/-._~")
    if "{path}" in repo_url:
        return (repo_url.replace("{commit}", commit).replace("{path}", quoted)
                .replace("{line}", str(line)))
    base = repo_url.rstrip("/").removesuffix(".git")
    host = (urlsplit(base).hostname or "").lower()
    if "gitlab" in host:
        return f"{base}/-/blob/{commit}/{quoted}#L{line}"
    if host == "bitbucket.org":
        return f"{base}/src/{commit}/{quoted}#lines-{line}"
    if "gitea" in host or host == "codeberg.org":
        return f"{base}/src/commit/{commit}/{quoted}#L{line}"
    return f"{base}/blob/{commit}/{quoted}#L{line}"


@dataclass
class Provenance:
    version: str
    today: str
    fail_on: str
    built: str  # when the site was built: in the HTML footer only, never in docs/
    commit: str | None = None
    clean: bool | None = None  # None: not in git
    repo_url: str | None = None
    prefix: str = ""  # the project's folder inside the repository ("" at its root)

    def source_url(self, file: str, line: int) -> str | None:
        """Where a finding's file and line can be read, or None (plain text then)."""
        if not self.repo_url or not self.commit or not file:
            return None
        return source_link(self.repo_url, self.commit, self.prefix + file, max(line, 1))

    def extra(self) -> dict[str, Any]:
        """What the site's page template shows in every page's footer."""
        return {"version": self.version, "commit": self.commit, "clean": self.clean,
                "built": self.built, "today": self.today, "fail_on": self.fail_on}


def gather(root: Path, today: dt.date, fail_on: str, repo_url: str | None,
           now: dt.datetime | None = None) -> Provenance:
    """The provenance of a site built now from the project at ``root``."""
    built = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    found = Provenance(__version__, today.isoformat(), fail_on, built, repo_url=repo_url)
    head = _git(root, "rev-parse", "HEAD")
    if not head or not head.strip():
        return found
    found.commit = head.strip()
    status = _git(root, "status", "--porcelain", "--", ".")
    found.clean = status is not None and not status.strip()
    found.prefix = (_git(root, "rev-parse", "--show-prefix") or "").strip()
    if found.repo_url is None:
        found.repo_url = web_url(_git(root, "remote", "get-url", "origin"))
    return found
