"""Map a file's column headers onto contract column names.

Fivetran writes ``created_date``, Salesforce ``CreatedDate`` and Stitch ``createddate``:
all three mean the same column, so a header matches a contract column when their
lowercase letters-and-digits forms are equal. Headers that match nothing are kept as
snake_case pass-through columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestration.contract import CrmObject
from orchestration.ingest.discovery import name_key
from orchestration.ingest.errors import FileError

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[\W_]+")


def snake_case(header: str) -> str:
    """``Foo_Bar__c`` -> ``foo_bar_c``, ``CustomScore`` -> ``custom_score``.

    Letters of any script are kept (a Japanese report label stays readable).
    """
    return _NON_WORD.sub("_", _CAMEL_BOUNDARY.sub("_", header.strip())).strip("_").lower()


@dataclass(frozen=True)
class HeaderMap:
    headers: tuple[str, ...]  # as written in the file, in file order
    names: tuple[str, ...]  # warehouse column name for each header, same order
    extras: tuple[str, ...]  # names that are not contract columns, in file order


def map_headers(obj: CrmObject, headers: list[str]) -> HeaderMap:
    """Raise FileError when two headers mean the same column or a required one is absent."""
    contract_by_key = {name_key(name): name for name in obj.column_names}
    names: list[str] = []
    first_header: dict[str, str] = {}
    for position, header in enumerate(headers, start=1):
        name = contract_by_key.get(name_key(header)) or snake_case(header) or f"column_{position}"
        if name in first_header:
            raise FileError(f"columns {first_header[name]!r} and {header!r} both normalise to {name!r}")
        first_header[name] = header
        names.append(name)
    missing = [name for name in obj.required_columns if name not in first_header]
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        what = f"required column {listed} is" if len(missing) == 1 else f"required columns {listed} are"
        raise FileError(f"{what} missing (expected by contract object {obj.name})")
    extras = tuple(name for name in names if name not in obj.column_names)
    return HeaderMap(tuple(headers), tuple(names), extras)
