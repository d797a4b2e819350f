"""The two ways ingestion reports trouble to people."""

from __future__ import annotations


class FileError(Exception):
    """This file cannot be loaded as it is; the message says why (without the file name,
    which the loader prefixes so every message names its file the same way)."""


class IngestError(Exception):
    """Raised by ``IngestResult.raise_for_failures`` when the caller wants failures to fail
    the run."""
