"""Quoting helpers: every name and value that comes from a file is quoted, never pasted."""

from __future__ import annotations

from datetime import datetime


def ident(name: str) -> str:
    """A quoted identifier (``"user"`` is a reserved word, headers may hold anything)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def timestamp_literal(value: datetime) -> str:
    """A naive UTC datetime as a SQL timestamp literal."""
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
