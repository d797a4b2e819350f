"""Where GX keeps validation results and Data Docs at run time: under DAGSTER_HOME.

Not in `published/`: Data Docs are rebuilt on every run, failed runs above all (that is
when people read them), while a failed run must leave `published/` byte-identical. Not
in the code checkout either, which a deployment may mount read-only. The site lives at
`<DAGSTER_HOME>/great_expectations/uncommitted/data_docs/local_site/index.html`, keeps
the history of every validation, and each check links to it in its metadata. Its pages
escape every value that comes from the data (`data_docs_view.py`): the docs show hostile
CRM values as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

GX_STORE = "great_expectations"
_SITE = ("uncommitted", "data_docs", "local_site", "index.html")
_VIEW = {"module_name": "orchestration.quality.data_docs_view", "class_name": "EscapedValuesPageView"}


def store_root(home: Path) -> Path:
    return home / GX_STORE


def index_path(home: Path) -> Path:
    return store_root(home).joinpath(*_SITE)


def runtime_context(home: Path) -> AbstractDataContext:
    """An ephemeral GX context (suites come from the committed JSON) with its stores on disk."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
        ProgressBarsConfig,
    )

    stores = FilesystemStoreBackendDefaults(root_directory=str(store_root(home)))
    stores.data_docs_sites[stores.data_docs_site_name]["site_section_builders"] = {
        section: {"view": _VIEW} for section in ("expectations", "validations")
    }
    project = DataContextConfig(
        store_backend_defaults=stores,
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=project)


def build(context: AbstractDataContext, home: Path, resources: Sequence[Any]) -> Path:
    """Render the pages of these suites and validation results, and the index; return its path."""
    context.build_data_docs(resource_identifiers=list(resources))
    return index_path(home)
