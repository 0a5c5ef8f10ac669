"""Layer `analyst`: the warehouse documents itself, so `duckdb_columns()`, `data_dictionary` and SQL clients show it.

The documentation is data: `dbt_like_sql/docs/columns.csv` (read by `assets/lib/column_docs.py`) has one row
per table (column empty) or column, with a Chinese label and its meaning. A row whose table is `*` documents a
column of that name in every table that has it, unless the table has a row of its own. The asset
`warehouse_docs` runs after every table it documents (its dependencies are the tables named in the file),
writes `COMMENT ON` for every table and column of the warehouse, and writes the resolved dictionary as the
table `data_dictionary`. Anything left undocumented is counted and listed in the materialization's metadata
(`undocumented`); a test keeps it at 0.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from assets.lib.column_docs import ANY_TABLE, Doc, load_docs, resolve
from assets.lib.duckdb_ops import POOL, RELATIONS, quote, quote_ident, transaction
from assets.lib.storage import DuckDBWarehouse
from assets.lib.ui_metadata import duckdb_table_metadata, markdown_table

DICTIONARY = "data_dictionary"  # written by this asset, in the main schema
# Tables no asset of their own name builds: this asset's dictionary, and the bookkeeping the incremental
# SQL models write as they build (assets/lib/incremental.py).
SIDE_TABLES = (f"main.{DICTIONARY}", "loaded.model_reports", "loaded.model_bodies")


def documented_tables(docs: dict[tuple[str, str], Doc]) -> list[str]:
    return sorted({table for table, _ in docs if table != ANY_TABLE})


def asset_key_of(table: str) -> dg.AssetKey:
    """`main.dim_report` → dim_report; `marts.x` → marts/x (the warehouse's naming convention)."""
    schema, name = table.split(".", 1)
    return dg.AssetKey([name] if schema == "main" else [schema, name])


def _entry(table: str, column: str | None, index: int, dtype: str | None, doc: Doc | None) -> tuple:
    return (table, column, index, dtype, doc.label_zh if doc else None, doc.meaning if doc else None, doc is not None)


def document_warehouse(conn: duckdb.DuckDBPyConnection, docs: dict[tuple[str, str], Doc]) -> list[tuple]:
    """Write `data_dictionary` and COMMENT ON every table, view and column; returns the undocumented ones."""
    conn.execute(
        f"""create or replace table {DICTIONARY} (
            table_name varchar, column_name varchar, column_index integer, data_type varchar,
            label_zh varchar, meaning varchar, documented boolean)"""
    )
    catalog = conn.execute(
        f"""
        select r.schema_name, r.table_name, r.kind, c.column_name, c.column_index, c.data_type
        from {RELATIONS} as r
        join duckdb_columns() as c using (database_name, schema_name, table_name)
        where r.database_name = current_database()
        order by r.schema_name, r.table_name, c.column_index
        """
    ).fetchall()
    rows, seen, kinds = [], set(), {}
    for schema, table, kind, column, index, dtype in catalog:
        name = f"{schema}.{table}"
        if name not in seen:
            seen.add(name)
            kinds[name] = kind
            rows.append(_entry(name, None, 0, None, resolve(docs, name, None)))
        rows.append(_entry(name, column, index, dtype, resolve(docs, name, column)))
    conn.executemany(f"insert into {DICTIONARY} values (?, ?, ?, ?, ?, ?, ?)", rows)
    for name, column, _, _, label, meaning, documented in rows:
        if not documented:
            continue
        schema, table = name.split(".", 1)
        relation = f"{quote_ident(schema)}.{quote_ident(table)}"
        text = quote(Doc(label, meaning).comment())
        if column is None:
            conn.execute(f"comment on {kinds[name]} {relation} is {text}")
        else:
            conn.execute(f"comment on column {relation}.{quote_ident(column)} is {text}")
    return [(name, column) for name, column, *_, documented in rows if not documented]


@dg.asset(
    key="warehouse_docs",
    group_name="analyst",
    kinds={"duckdb"},
    deps=[asset_key_of(t) for t in documented_tables(load_docs()) if t not in SIDE_TABLES],
    pool=POOL,
    description=(
        "COMMENT ON every table and column of the warehouse (Chinese label + meaning) from "
        "dbt_like_sql/docs/columns.csv, and the resolved dictionary as the table `data_dictionary`. Runs after "
        "every table the file documents; `create or replace` drops comments, so re-run it after rebuilding tables."
    ),
)
def warehouse_docs(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
    docs = load_docs()
    with warehouse.connect() as conn:
        with transaction(conn):
            missing = document_warehouse(conn, docs)
        metadata = duckdb_table_metadata(conn, DICTIONARY, str(warehouse.build_path))
        preview = conn.sql(
            f"select table_name, column_name from {DICTIONARY} where not documented order by all limit 50"
        ).pl()
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "docs_file": "dbt_like_sql/docs/columns.csv",
            "undocumented": dg.MetadataValue.int(len(missing)),
            "undocumented_columns": dg.MetadataValue.md(markdown_table(preview)),
        }
    )
