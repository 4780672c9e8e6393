"""The auditor site: Markdown pages rendered with jinja2, built into HTML by MkDocs."""
