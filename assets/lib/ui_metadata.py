"""What every asset shows in the UI: row count, column schema (with each column's documented meaning from
dbt_like_sql/docs/columns.csv) and a small Markdown preview."""

from __future__ import annotations

from typing import Any

import dagster as dg
import duckdb
import polars as pl

from assets.lib.column_docs import project_docs, qualified, resolve

PREVIEW_ROWS = 5
_MAX_CELL = 40


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def markdown_table(df: pl.DataFrame) -> str:
    """A GitHub-style Markdown table of a (small) frame."""
    if not df.columns:
        return "_(no columns)_"
    lines = [
        "| " + " | ".join(df.columns) + " |",
        "|" + "---|" * len(df.columns),
        *("| " + " | ".join(_cell(v) for v in row) + " |" for row in df.iter_rows()),
    ]
    return "\n".join(lines)


def frame_metadata(frame: pl.LazyFrame | pl.DataFrame, relation: str = "") -> dict[str, Any]:
    """Row count, schema and preview of a (lazy) polars frame, without collecting all of it; the columns are
    described as in `relation` of the warehouse (or by the column-wide docs when it has none)."""
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    rows = lazy.select(pl.len()).collect().item()
    preview = lazy.head(PREVIEW_ROWS).collect()
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, str(dtype), description=column_description(project_docs(), relation, name))
                     for name, dtype in schema.items()]
        ),
        "preview": dg.MetadataValue.md(markdown_table(preview)),
    }


def column_description(docs: dict, relation: str, column: str) -> str | None:
    """`label_zh：meaning` of a column, as the warehouse's COMMENT says it (None when undocumented)."""
    doc = resolve(docs, relation, column)
    return doc.comment() if doc else None


def duckdb_table_metadata(
    conn: duckdb.DuckDBPyConnection, table: str, database: str, count_rows: bool = True
) -> dict[str, Any]:
    """Row count, schema and preview of a DuckDB table or view (`table` may be schema-qualified).

    `count_rows=False` for a view over millions of rows: counting would compute the whole view.
    """
    columns = conn.execute(f"describe {table}").fetchall()
    docs, relation = project_docs(), qualified(table)
    preview = conn.sql(f"select * from {table} limit {PREVIEW_ROWS}").pl()
    rows = {}
    if count_rows:
        count = conn.execute(f"select count(*) from {table}").fetchall()[0][0]
        rows = {"dagster/row_count": dg.MetadataValue.int(count)}
    return {
        **rows,
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, dtype, description=column_description(docs, relation, name))
                     for name, dtype, *_ in columns]
        ),
        "dagster/table_name": f"warehouse.{table}",
        "dagster/uri": dg.MetadataValue.path(database),
        "preview": dg.MetadataValue.md(markdown_table(preview)),
    }
