"""The framework-free data engine: ingest → resolve → features → rules → results.

Nothing in this package imports Django or the web layer (import-linter enforces it).
"""
