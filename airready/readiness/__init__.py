"""Readiness views built from findings and the graph: scorecards and their history, and
first-hour runbooks."""
