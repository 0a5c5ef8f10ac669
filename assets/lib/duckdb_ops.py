"""The DuckDB guarantees every warehouse asset relies on, written once: the writer pool, transactions,
SQL quoting, the catalog of relations, atomic replacement of a relation, and the two content hashes.

Every asset that opens the warehouse's DuckDB file runs in the pool `POOL` (limit 1, config/dagster.yaml):
DuckDB takes one writing process per file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import duckdb

POOL = "duckdb_write"

# Every table and view (DuckDB's catalog lists them apart): database_name, schema_name, table_name, kind, comment.
RELATIONS = """(
    select database_name, schema_name, table_name, 'table' as kind, comment
    from duckdb_tables() where not temporary
    union all
    select database_name, schema_name, view_name, 'view', comment
    from duckdb_views() where not internal and not temporary
)"""


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back if it raises: readers see before or after."""
    conn.execute("begin transaction")
    try:
        yield
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


def quote(text: str) -> str:
    """A SQL string literal: `it's` → `'it''s'`."""
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A SQL identifier, quoted: `a"b` → `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def kind_of(conn: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    """'table', 'view', or None when the warehouse has no relation of that name."""
    row = conn.execute(
        f"select kind from {RELATIONS} where database_name = current_database() and schema_name = ? "
        "and table_name = ?",
        [schema, name],
    ).fetchall()
    return row[0][0] if row else None


def replace_relation(conn: duckdb.DuckDBPyConnection, schema: str, name: str, kind: str, select: str) -> None:
    """`create or replace` a table or view (`kind`); an existing relation of the other kind is dropped first.

    Call inside `transaction`: readers see the old relation or the new one, never none.
    """
    existing = kind_of(conn, schema, name)
    if existing is not None and existing != kind:
        conn.execute(f"drop {existing} {schema}.{name}")
    conn.execute(f"create or replace {kind} {schema}.{name} as {select}")


def file_code_version(text: str) -> str:
    """Dagster's `code_version` of an asset built from one file (a SQL model, a seed): its text's hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def rows_version(texts: Iterable[str]) -> str:
    """What an incremental model's rows depend on besides the data (its SQL, every SQL file and seed it reads,
    transitively): stored with the rows, a change rebuilds the model in full."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()[:16]
