"""Renderers: turn audit results into text, JSON and the CI formats. They return strings."""
