"""The dependency graph: every reference as a typed edge, and blast-radius walks over it
(what harm starting at one entity reaches, and whom to act on)."""
