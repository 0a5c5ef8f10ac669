"""Incremental SQL models: recompute only the reports whose parse changed since the last build.

A model whose header says `-- materialized: incremental_by_report` is built in full the first time and
whenever its code changes (its SQL, or any SQL file or seed upstream of it:
`assets/lib/model_files.py`, `incremental_rows_version`). Otherwise only the reports whose (report_id,
batch_id) in `dim_report` differs from the last build are deleted and computed again: new reports,
re-parsed ones and reports that left `dim_report`. `loaded.model_reports` records,
per model, the parse of every report it was built from, and the code version.

The contract such a model keeps: every output row belongs to one report (`report_id`) and depends only
on that report's parse (its cells, and the parsed columns of its `dim_report` row: organization, year,
template) and on seeds. A model that reads other reports, or `is_current`, must stay a table, unless its
header names the relation that carries what it reads of them, one row per report, and the columns it reads
there (all when none are named): `-- changes_with: staging.stg_body_reports (body_key, body_name,
is_body_primary)`, `-- changes_with: dim_report (source_file)`. The hash of those columns of the report's row
is then recorded too (`fingerprint`), and a report whose row changed there is recomputed: a new report that
becomes its body's primary one that year recomputes the report it replaces, not the warehouse.
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


def report_versions(changes_with: str = "") -> str:
    """(report_id, batch_id, fingerprint) of every report of dim_report: what an incremental model was built from."""
    if not changes_with:
        return "select report_id, batch_id, null::ubigint as fingerprint from dim_report"
    relation, columns = changes_relation(changes_with)
    hashed = f"hash({', '.join(f'w.{c}' for c in columns)})" if columns else "hash(w)"
    return (f"select d.report_id, d.batch_id, {hashed}::ubigint as fingerprint "
            f"from dim_report as d left join {relation} as w on w.report_id = d.report_id")


def changes_relation(changes_with: str) -> tuple[str, tuple[str, ...]]:
    """`staging.stg_body_reports (body_key, is_body_primary)` → the relation and the columns (none: all)."""
    relation, _, columns = changes_with.partition("(")
    return relation.strip(), tuple(c.strip() for c in columns.rstrip(") ").split(",") if c.strip())


def build_incremental(
    conn: duckdb.DuckDBPyConnection, schema: str, name: str, body: str, version: str, changes_with: str = ""
) -> IncrementalResult:
    """Build `schema.name` from `body` in full or for the changed reports only; call inside a transaction.

    `version` is what the rows depend on besides the data: a build with another version is a full one.
    `changes_with` names the per-report relation whose rows the model also depends on (module docstring).
    """
    model = f"{schema}.{name}"
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(
        f"create table if not exists {MODEL_REPORTS} "
        "(model varchar, code_version varchar, report_id varchar, batch_id varchar, fingerprint ubigint)"
    )
    conn.execute(f"alter table {MODEL_REPORTS} add column if not exists fingerprint ubigint")  # older warehouses
    reports = report_versions(changes_with)
    exists = kind_of(conn, schema, name) == "table"
    versions = {v for (v,) in conn.execute(
        f"select distinct code_version from {MODEL_REPORTS} where model = ?", [model]).fetchall()}
    changed: list[str] | None = None
    if exists and versions == {version}:
        changed = [r for (r,) in conn.execute(
            f"""
            with now as ({reports}),
            built as (select report_id, batch_id, fingerprint from {MODEL_REPORTS} where model = $1)
            select report_id from (select * from now except select * from built)
            union
            select report_id from (select * from built except select * from now)
            """,
            [model],
        ).fetchall()]
    if changed is None or len(changed) > MAX_CHANGED:
        replace_relation(conn, schema, name, "table", body)
        conn.execute(f"delete from {MODEL_REPORTS} where model = ?", [model])
        conn.execute(f"insert into {MODEL_REPORTS} (model, code_version, report_id, batch_id, fingerprint) "
                     f"select ?, ?, * from ({reports})", [model, version])
        return IncrementalResult("full", conn.execute("select count(*) from dim_report").fetchall()[0][0])
    if changed:
        ids = ", ".join(quote(i) for i in sorted(changed))  # a literal list: DuckDB pushes it down to the scans
        conn.execute(f"delete from {model} where report_id in ({ids})")
        conn.execute(f"insert into {model} select * from ({body}) where report_id in ({ids})")
        conn.execute(f"delete from {MODEL_REPORTS} where model = ? and report_id in ({ids})", [model])
        conn.execute(
            f"insert into {MODEL_REPORTS} (model, code_version, report_id, batch_id, fingerprint) "
            f"select ?, ?, * from ({reports}) where report_id in ({ids})",
            [model, version],
        )
    return IncrementalResult("incremental", len(changed))
