"""The repositories' DuckDB SQL, rewritten for PostgreSQL (once per distinct statement, cached).

Only the few DuckDB idioms the repositories use are rewritten; anything else is the same in both
(the storage suite runs every statement on both backends, so a new idiom that needs a rule fails there).
"""

from __future__ import annotations

import re
from functools import lru_cache

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"%"), "%%"),  # psycopg's placeholders start with %
    (re.compile(r"list_contains\(\?, ([\w.]+)\)"), r"\1 = ANY(?)"),
    (re.compile(r"len\(list_intersect\(([\w.]+), \?\)\) > 0"), r"\1 && ?::text[]"),
    (re.compile(r"\blist\("), "array_agg("),
    (re.compile(r"\browid\b"), "ctid"),  # insertion order of an append-only table (settings_log)
    (re.compile(r"\?"), "%s"),
)

# column types: DuckDB's name → PostgreSQL's (DDL only)
_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bINTEGER\[\]\[\]"), "INTEGER[]"),  # PostgreSQL arrays carry their dimensions
    (re.compile(r"\bVARCHAR\b"), "TEXT"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bDOUBLE\b"), "DOUBLE PRECISION"),
)


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    for pattern, replacement in _RULES:
        sql = pattern.sub(replacement, sql)
    return sql


def ddl(statement: str) -> str:
    """A migration statement of storage/schema.py in PostgreSQL's words."""
    for pattern, replacement in _TYPES:
        statement = pattern.sub(replacement, statement)
    return re.sub(r"\blist\(", "array_agg(", statement)
