"""SQL that runs on DuckDB but not on PostgreSQL (or means something else there).

Models must not use these directly: a dialect difference goes into a dispatched macro
under dbt_project/macros/cross_database. `tests/test_sql_portability.py`
checks the model sources in the normal suite; `tests/warehouses/
test_compiled_sql_portable.py` checks what dbt compiled for PostgreSQL.

The list follows DuckDB's function reference (list, struct, date, regexp, aggregate and
friendly-SQL pages) and what this project has used: functions PostgreSQL lacks, functions
it has under the same name with other semantics (``regexp_matches`` returns a set of
arrays there, not a boolean), and DuckDB's friendly-SQL syntax. ``::`` and ``ilike``
are not listed: PostgreSQL has both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Construct:
    name: str
    pattern: re.Pattern[str]
    instead: str  # what to write instead


def _function(names: str, instead: str) -> Construct:
    """A function call ``name(``, not a macro call like ``dbt.datediff(``."""
    return Construct(names, re.compile(rf"(?<![\w.])(?:{names})\s*\(", re.IGNORECASE), instead)


def _syntax(name: str, regex: str, instead: str) -> Construct:
    return Construct(name, re.compile(regex, re.IGNORECASE), instead)


DUCKDB_ONLY: tuple[Construct, ...] = (
    _function(r"list_\w+|list|array_\w+_agg", "array_agg / a dispatched macro"),
    _function(r"struct_\w+|row_to_struct", "separate columns"),
    _function(r"regexp_matches|regexp_full_match|regexp_extract\w*", "fukan.regexp_search"),
    _function(r"(?:try_)?strftime|(?:try_)?strptime", "cast / dbt.date_trunc / a dispatched macro"),
    _function(r"epoch\w*|to_timestamp_\w+|time_bucket", "dbt.datediff / a dispatched macro"),
    _function(r"date_diff|datediff|date_sub|datesub|date_add|dateadd", "dbt.datediff / dbt.dateadd"),
    _function(
        r"dayofweek|dayofmonth|dayofyear|isodow|isoyear|yearweek|weekofyear|last_day",
        "extract(isodow from ...) / a dispatched macro",
    ),
    _function(r"arg_max|arg_min|argmax|argmin|max_by|min_by", "fukan.min_by / row_number() over (...) = 1"),
    _function(
        r"any_value|count_if|countif|median|quantile\w*|mode|group_concat|bool_xor",
        "standard aggregates / a dispatched macro",
    ),
    _function(r"try_cast", "dbt.safe_cast"),
    _function(r"ifnull|if|iff", "coalesce / case when"),
    _function(r"string_split\w*|str_split\w*|string_to_list|split", "split_part / a dispatched macro"),
    _function(r"json_extract\w*|json_value|json_object|to_json", "a dispatched macro"),
    _function(r"hash|len|strlen|suffix|prefix|contains|strip_accents", "md5 via fukan.hash_text, length, like"),
    _function(r"range|generate_subscripts|unnest_\w+", "a calendar seed / dim_dates"),
    _function(r"columns", "explicit column lists"),
    _syntax("qualify", r"\bqualify\b", "a subquery filtered on row_number()"),
    _syntax("group by all / order by all", r"\b(?:group|order)\s+by\s+all\b", "explicit column lists"),
    _syntax("select * exclude / replace", r"\*\s*(?:exclude|replace)\s*\(", "explicit column lists"),
    _syntax("union by name", r"\bunion\s+(?:all\s+)?by\s+name\b", "explicit column lists"),
    _syntax("pivot / unpivot", r"\b(?:un)?pivot\b", "case when + group by"),
    _syntax("asof / positional join", r"\b(?:asof|positional)\s+join\b", "a join with a window"),
    _syntax("using sample", r"\busing\s+sample\b", "tablesample / nothing"),
    _syntax("integer division //", r"//", "floor(a / b)"),
)

# Comments and quoted text say nothing about the dialect; Jinja calls are macros, which
# dispatch (their bodies live under macros/cross_database).
_NOT_SQL = re.compile(
    r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|/\*.*?\*/|--[^\n]*|'(?:[^']|'')*'",
    re.DOTALL,
)


def sql_only(text: str) -> str:
    """``text`` without comments, string literals and Jinja: the SQL a dialect parses."""
    return _NOT_SQL.sub(" ", text)


def duckdb_only_uses(text: str) -> list[str]:
    """Each DuckDB-only construct in ``text``, as 'line N: <construct> (use <instead>)'."""
    sql = sql_only(text)
    found = []
    for construct in DUCKDB_ONLY:
        for match in construct.pattern.finditer(sql):
            line = sql.count("\n", 0, match.start()) + 1
            found.append(
                f"line {line}: {match.group(0).strip()} (DuckDB-only {construct.name}; use {construct.instead})"
            )
    return found
