"""Evaluate every enabled control on every entity of its kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .catalog import Catalog, Control
from .conditions import Context, EvaluationError, Scope
from .findings import AuditResult, Finding
from .inventory import Inventory
from .kinds import Entity


def _dotted(path: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in path)


def evaluate_control(control: Control, entity: Entity, inventory: Inventory,
                     today: dt.date) -> Finding:
    ref = entity.ref
    source = inventory.sources[ref]
    spec = control.spec

    def finding(state: str, message: Any, file: str, line: int, column: int, path: str,
                evidence_ref: str | None = None) -> Finding:
        return Finding(control=control.id, target=ref, state=state,  # type: ignore[arg-type]
                       severity=control.severity, file=file, line=line, column=column,
                       path=path, message=message, remediation=spec.remediation.text,
                       phase=spec.phase, evidence_ref=evidence_ref)

    entity_line = source.line
    if entity.metadata.external:
        return finding("not_applicable", f"{ref} is external to the organisation",
                       source.file, entity_line, 1, "")
    ctx = Context(inventory, today, ref)
    scope = Scope(entity, ref, ())
    try:
        if control.where is not None:
            selected = control.where(scope, ctx)
            if not selected.ok:
                return finding("not_applicable",
                               lambda: f"{ref} is out of scope ({selected.evidence})",
                               source.file, entity_line, 1, _dotted(selected.path))
        outcome = control.check(scope, ctx)
    except EvaluationError as exc:
        return finding("error", f"{ref}: the check could not be evaluated: {exc}",
                       source.file, entity_line, 1, "")
    path = _dotted(outcome.path)
    evidence_ref = outcome.ref if outcome.ref != ref else None
    if outcome.ok:
        title = spec.title[0].lower() + spec.title[1:]
        return finding("pass", lambda: f"{ref} {title} ({outcome.evidence})",
                       source.file, entity_line, 1, path, evidence_ref)
    file, line, column = inventory.locate(outcome.ref, outcome.path)
    return finding("fail", f"{ref} {spec.failure} ({outcome.evidence})", file, line, column,
                   path, evidence_ref)


def evaluate(inventory: Inventory, catalog: Catalog, today: dt.date,
             controls: Iterable[Control] | None = None,
             targets: set[str] | None = None) -> AuditResult:
    """Run ``controls`` (default: every enabled one) over the inventory.

    ``targets`` limits the audit to those entity references (a filter that skips work).
    """
    result = AuditResult(inventory, catalog, today)
    for control in (catalog.enabled() if controls is None else controls):
        result.evaluated.append(control)
        entities = inventory.of_kind(control.kind)
        if targets is not None:
            entities = [e for e in entities if e.ref in targets]
        found = [evaluate_control(control, entity, inventory, today) for entity in entities]
        if not any(f.state != "not_applicable" for f in found):
            result.unmatched.append(control)
        result.findings.extend(found)
    return result

