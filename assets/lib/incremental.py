"""Incremental SQL models: recompute only the reports whose parse changed since the last build.

A model whose header says `-- materialized: incremental_by_report` is built in full the first time and
whenever its code changes (its SQL, or any SQL file or seed upstream of it:
`assets/lib/model_files.py`, `incremental_rows_version`). Otherwise only the reports whose (report_id,
batch_id) in `dim_report` differs from the last build are deleted and computed again: new reports,
re-parsed ones and reports that left `dim_report`. `loaded.model_reports` records,
per model, the parse of every report it was built from, and the code version.

The contract such a model keeps: every output row belongs to one report (`report_id`) and depends only
on that report's parse (its cells, and the parsed columns of its `dim_report` row: organization, year,
template) and on seeds. A model that reads other reports, or `is_current`, must stay a table.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from assets.lib.batch_loading import SCHEMA
from assets.lib.duckdb_ops import kind_of, quote, replace_relation

MODEL_REPORTS = f"{SCHEMA}.model_reports"
MAX_CHANGED = 5000  # more changed reports than this: a full build costs no more


@dataclass(frozen=True)
class IncrementalResult:
    mode: str  # full | incremental
    reports_recomputed: int

    def as_metadata(self) -> dict[str, str | int]:
        return {"mode": self.mode, "reports_recomputed": self.reports_recomputed}


def build_incremental(
    conn: duckdb.DuckDBPyConnection, schema: str, name: str, body: str, version: str
) -> IncrementalResult:
    """Build `schema.name` from `body` in full or for the changed reports only; call inside a transaction.

    `version` is what the rows depend on besides the data: a build with another version is a full one.
    """
    model = f"{schema}.{name}"
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(
        f"create table if not exists {MODEL_REPORTS} "
        "(model varchar, code_version varchar, report_id varchar, batch_id varchar)"
    )
    exists = kind_of(conn, schema, name) == "table"
    versions = {v for (v,) in conn.execute(
        f"select distinct code_version from {MODEL_REPORTS} where model = ?", [model]).fetchall()}
    changed: list[str] | None = None
    if exists and versions == {version}:
        changed = [r for (r,) in conn.execute(
            f"""
            select report_id from (
                select report_id, batch_id from dim_report
                except select report_id, batch_id from {MODEL_REPORTS} where model = $1
            )
            union
            select report_id from (
                select report_id, batch_id from {MODEL_REPORTS} where model = $1
                except select report_id, batch_id from dim_report
            )
            """,
            [model],
        ).fetchall()]
    if changed is None or len(changed) > MAX_CHANGED:
        replace_relation(conn, schema, name, "table", body)
        conn.execute(f"delete from {MODEL_REPORTS} where model = ?", [model])
        conn.execute(f"insert into {MODEL_REPORTS} select ?, ?, report_id, batch_id from dim_report", [model, version])
        return IncrementalResult("full", conn.execute("select count(*) from dim_report").fetchall()[0][0])
    if changed:
        ids = ", ".join(quote(i) for i in sorted(changed))  # a literal list: DuckDB pushes it down to the scans
        conn.execute(f"delete from {model} where report_id in ({ids})")
        conn.execute(f"insert into {model} select * from ({body}) where report_id in ({ids})")
        conn.execute(f"delete from {MODEL_REPORTS} where model = ? and report_id in ({ids})", [model])
        conn.execute(
            f"insert into {MODEL_REPORTS} select ?, ?, report_id, batch_id from dim_report where report_id in ({ids})",
            [model, version],
        )
    return IncrementalResult("incremental", len(changed))
