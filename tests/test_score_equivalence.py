"""score() in one pass gives what the straightforward definition gives (the oracle below,
the scorecard's code before it was made a single loop)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from airready.readiness.scorecard import LEVELS, WEIGHTS, Score, percent, score
from airready.rules.findings import STATES, Finding

CONTROLS = {"C-1": "bronze", "C-2": "silver", "C-3": "gold", "C-4": "silver"}


def oracle(findings: list[Finding], levels: dict[str, str]) -> Score:
    """The definition, level by level: a level is held when a control of it and of every
    level below applied and all of those pass (levels on evidence only)."""
    applicable = [f for f in findings if f.state != "not_applicable"]
    not_applicable = len(findings) - len(applicable)
    if not applicable:
        return Score("unrated", None, not_applicable=not_applicable,
                     why="nothing applies: declare its lifecycle, users and environments")
    total = sum(WEIGHTS[f.severity] for f in applicable)
    earned = sum(WEIGHTS[f.severity] for f in applicable if f.state == "pass")
    level = None
    why = ""
    for candidate in LEVELS:
        at_level = [f for f in applicable if levels[f.control] == candidate]
        if not at_level:
            why = why or f"no {candidate.capitalize()} control applies"
            break
        if not all(f.state == "pass" for f in at_level):
            why = why or f"a {candidate.capitalize()} control does not pass"
            break
        level = candidate
    return Score(level, percent(earned, total), sum(f.state == "pass" for f in applicable),
                 sum(f.is_gap for f in applicable), sum(f.state == "waived" for f in applicable),
                 not_applicable, why if level is None else "")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(CONTROLS)), st.sampled_from(STATES),
                          st.sampled_from(sorted(WEIGHTS))), max_size=12))
def test_score_in_one_pass_is_the_definition(rows: list[tuple[str, str, str]]) -> None:
    findings = [Finding(control, "model:m", state, severity, "f.yaml", 1, 1, "",  # type: ignore[arg-type]
                        message="", remediation="", phase="")
                for control, state, severity in rows]
    assert score(findings, CONTROLS) == oracle(findings, CONTROLS)
