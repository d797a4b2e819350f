"""Raw ingestion: landing files (docs/landing-contract.md) -> ``raw.*`` tables, with a load
ledger and a quarantine in the ``ingest`` schema.

    result = ingest_landing(landing_dir, warehouse)
    print(result)
    result.raise_for_failures()
"""

from orchestration.ingest.errors import IngestError
from orchestration.ingest.loader import ingest_landing
from orchestration.ingest.result import FileResult, IngestResult
from orchestration.ingest.writer import ensure_raw_tables

__all__ = ["FileResult", "IngestError", "IngestResult", "ensure_raw_tables", "ingest_landing"]
