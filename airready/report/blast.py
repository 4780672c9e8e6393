"""Renderers for ``blast-radius``: text, JSON, Markdown, Mermaid and Graphviz DOT."""

from __future__ import annotations

import json
from typing import Any

from ..graph.blast import SCENARIOS, BlastRadius, users_phrase
from ..inventory.words import plural
from .markdown import escape
from .text import one_line, safe_lines

SCHEMA_VERSION = 1


def explain(path: list[str], edges: list[str], against: tuple[bool, ...] = ()) -> str:
    """``dataset:a -trains-> model:b -acts_through-> tool:c``

    A step taken against its edge reads ``<-edge-``: ``tool:c <-acts_through- model:b``
    (model:b acts through tool:c), so every arrow points the way harm spreads.
    """
    parts = [path[0]]
    for index, (edge, node) in enumerate(zip(edges, path[1:], strict=True)):
        backwards = index < len(against) and against[index]
        parts.append(f"<-{edge}- {node}" if backwards else f"-{edge}-> {node}")
    return " ".join(parts)


def blast_dict(radius: BlastRadius) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "start": radius.start,
        "scenario": radius.scenario,
        "reverse": radius.reverse,
        "reached": [{"ref": r.ref, "kind": r.kind.lower(), "depth": r.depth, "path": r.path,
                     "edges": r.edges, "against": list(r.against)} for r in radius.reached],
        "act_on": radius.act_on,
    }


def render_json(radius: BlastRadius) -> str:
    return json.dumps(blast_dict(radius), indent=2) + "\n"


def _act_lines(act: dict[str, Any], bullet: str, md: bool,
               titles: dict[str, str] | None = None) -> list[str]:
    def e(text: Any) -> str:
        return escape(str(text)) if md else one_line(str(text))

    def lab(ref: Any) -> str:
        """A reference with the title people know it by, when it has one."""
        title = (titles or {}).get(str(ref))
        return f"{ref} ({title})" if title else str(ref)

    lines: list[str] = []

    def section(title: str, rows: list[str]) -> None:
        if rows:
            heading = f"### {title}" if md else f"{title}:"
            lines.extend(["", heading, *(f"{bullet}{r}" for r in rows)])

    section("Models affected", [e(lab(m)) for m in act.get("models", [])])
    owners = []
    for owner in act.get("owners", []):
        reach = [str(owner[k]) for k in ("email", "phone") if k in owner]
        reach += [str(v) for v in owner.get("on_call", {}).values()]
        members = ", ".join(lab(m["ref"]) for m in owner.get("members", []))
        text = f"{lab(owner['ref'])} owns {', '.join(owner['owns'])}; page via "
        text += ", ".join(reach) if reach else "NO CONTACT ON FILE"
        if members:
            text += f" (members: {members})"
        owners.append(e(text))
    section("Owners to page", owners)
    section("Incident roles", [e(f"{name}: {lab(role.get('primary'))}, backup "
                                 f"{lab(role['backup']) if role.get('backup') else 'NONE'}")
                               for name, role in act.get("roles", {}).items()])
    section("Credentials to revoke",
            [e(f"{lab(c['ref'])}: {c['revocation'] or 'NO REVOCATION PROCEDURE'}")
             for c in act.get("credentials", [])])
    vendors = []
    for vendor in act.get("vendors", []):
        contact = vendor.get("security_contact", {})
        parts = [str(contact[k]) for k in ("email", "phone", "url") if k in contact]
        text = f"{lab(vendor['ref'])}: {', '.join(parts) or 'NO SECURITY CONTACT'}"
        if "notification_sla" in vendor:
            text += f"; they notify within {vendor['notification_sla']}"
        if "incident_reporting" in vendor:
            # Last: the vendor's procedure is free text, with semicolons of its own.
            text += f"; report via {vendor['incident_reporting']}"
        vendors.append(e(text))
    section("Vendors to notify", vendors)
    envs = [e(f"{lab(env['ref'])}: {env.get('stage') or 'stage unknown'}, "
              + (f"{env['users']:,} users" if env.get("users") is not None
                 else "users unknown"))
            for env in act.get("environments", [])]
    section("Environments exposed", envs)
    summary = []
    if "users" in act:
        summary.append(f"users of affected models: {users_phrase(act)}")
    if act.get("data_classes"):
        summary.append("data classes at risk: " + ", ".join(act["data_classes"]))
    if act.get("write_tools"):
        summary.append("tools that can write, send or pay: " + ", ".join(act["write_tools"]))
    section("Exposure", [e(s) for s in summary])
    section("Playbooks", [e(p) for p in act.get("playbooks", [])] or [])
    section("Models with no known-good version to roll back to",
            [e(m) for m in act.get("no_rollback", [])])
    return lines


def render_text(radius: BlastRadius) -> str:
    start = radius.start + (f" ({one_line(radius.titles[radius.start])})"
                            if radius.start in radius.titles else "")
    title = (f"where harm reaching {start} could come from" if radius.reverse
             else f"what harm starting at {start} reaches")
    lines = [title + (f" ({radius.scenario})" if radius.scenario else "")]
    if radius.scenario:
        lines.append(f"scenario: {SCENARIOS[radius.scenario]['summary']}")
    lines.append(f"{plural(len(radius.reached), 'entity', 'entities')} reached")
    if radius.reached:
        width = max(len(r.ref) for r in radius.reached)
        lines.append("")
        lines.append(f"{'depth':>5}  {'entity':<{width}}  path")
        for r in radius.reached:
            lines.append(f"{r.depth:>5}  {r.ref:<{width}}  {explain(r.path, r.edges, r.against)}")
    if not radius.reverse:
        lines.extend(_act_lines(radius.act_on, "  - ", md=False, titles=radius.titles))
    return safe_lines(lines)


def render_markdown(radius: BlastRadius) -> str:
    title = "Reverse blast radius" if radius.reverse else "Blast radius"
    lines = [f"## {title} of `{radius.start}`"]
    if radius.scenario:
        lines += ["", f"Scenario **{radius.scenario}**: {SCENARIOS[radius.scenario]['summary']}."]
    lines += ["", f"{plural(len(radius.reached), 'entity', 'entities')} reached.", ""]
    if radius.reached:
        lines += ["| depth | entity | path |", "|---:|---|---|"]
        lines += [f"| {r.depth} | {escape(r.ref)} | {escape(explain(r.path, r.edges, r.against))} |"
                  for r in radius.reached]
    if not radius.reverse:
        lines.extend(_act_lines(radius.act_on, "- ", md=True, titles=radius.titles))
    return "\n".join(lines) + "\n"


def _node_ids(radius: BlastRadius) -> dict[str, str]:
    ids = {radius.start: "n0"}
    for index, r in enumerate(radius.reached, start=1):
        ids[r.ref] = f"n{index}"
    for r in radius.reached:  # nodes on paths but filtered out by --kind
        for ref in r.path:
            ids.setdefault(ref, f"n{len(ids)}")
    return ids


def _tree_edges(radius: BlastRadius) -> list[tuple[str, str, str]]:
    """The edges of the shortest-path tree, each pointing the way harm spreads."""
    edges = []
    seen = set()
    for r in radius.reached:
        against = r.against or (radius.reverse,) * len(r.edges)
        for a, b, edge, backwards in zip(r.path[:-1], r.path[1:], r.edges, against, strict=True):
            key = (b, a) if backwards else (a, b)
            if key not in seen:
                seen.add(key)
                edges.append((key[0], key[1], edge))
    return edges


def render_mermaid(radius: BlastRadius) -> str:
    """A flowchart; labels are references, which the name rules keep free of markup."""
    ids = _node_ids(radius)
    lines = ["flowchart LR"]
    for ref, node in ids.items():
        shape = ('(["', '"])') if ref == radius.start else ('["', '"]')
        lines.append(f"  {node}{shape[0]}{ref.replace(chr(34), '#quot;')}{shape[1]}")
    for a, b, edge in _tree_edges(radius):
        lines.append(f"  {ids[a]} -->|{edge}| {ids[b]}")
    return "\n".join(lines) + "\n"


def render_dot(radius: BlastRadius) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph blast_radius {", "  rankdir=LR;", "  node [shape=box];",
             f"  {q(radius.start)} [style=filled, fillcolor=\"#ffd6d6\"];"]
    for r in radius.reached:
        lines.append(f"  {q(r.ref)};")
    for a, b, edge in _tree_edges(radius):
        lines.append(f"  {q(a)} -> {q(b)} [label={q(edge)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown,
             "mermaid": render_mermaid, "dot": render_dot}
