"""Incremental SQL models: recompute only the reports, or the bodies, whose inputs changed since the last build.

A model whose header says `-- materialized: incremental_by_report` (or `incremental_by_body`) is built in full
the first time and whenever its code changes (its SQL, or any SQL file or seed upstream of it:
`assets/lib/model_files.py`, `incremental_rows_version`). Otherwise only the changed partitions are deleted and
computed again.

**By report.** The reports whose (report_id, batch_id) in `dim_report` differs from the last build: new
reports, re-parsed ones and reports that left `dim_report`. `loaded.model_reports` records, per model, the
parse of every report it was built from, and the code version.

The contract such a model keeps: every output row belongs to one report (`report_id`) and depends only
on that report's parse (its cells, and the parsed columns of its `dim_report` row: organization, year,
template) and on seeds. A model that reads other reports, or `is_current`, must stay a table, unless its
header names the relation that carries what it reads of them, one row per report, and the columns it reads
there (all when none are named): `-- changes_with: staging.stg_body_reports (body_key, body_name,
is_body_primary)`, `-- changes_with: dim_report (source_file)`. The hash of those columns of the report's row
is then recorded too (`fingerprint`), and a report whose row changed there is recomputed: a new report that
becomes its body's primary one that year recomputes the report it replaces, not the warehouse.

**By body.** The cross-year marts (a body's years side by side) read every report of a body, and only of that
body. An `incremental_by_body` model keeps this contract: every output row belongs to one body (`body_key`, not
null) and depends only on the reports of that body — their parse and the columns of their row in the
`-- changes_with:` relation (one row per report, with a `body_key`; required for this kind) — and on seeds.
The relation may be followed by a condition on its rows, when the model reads only the body's reports that
meet it: `-- changes_with: staging.stg_body_reports (body_name, report_year) where is_body_primary`.
`loaded.model_bodies` records, per model and body, a fingerprint of the body's reports (report_id, batch_id
and those columns, in report order, of the rows the condition keeps); a body whose fingerprint changed,
appeared or vanished is recomputed: a new report that becomes its body's primary one recomputes that body's
few rows, one that does not recomputes nothing. A report that changes body (its name's key changed) changes
the fingerprint of both bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from assets.lib.batch_loading import SCHEMA
from assets.lib.duckdb_ops import kind_of, quote, replace_relation

MODEL_REPORTS = f"{SCHEMA}.model_reports"
MODEL_BODIES = f"{SCHEMA}.model_bodies"
MAX_CHANGED = 5000  # more changed reports (or bodies) than this: a full build costs no more
BY_REPORT = "incremental_by_report"
BY_BODY = "incremental_by_body"
KINDS = (BY_REPORT, BY_BODY)


@dataclass(frozen=True)
class IncrementalResult:
    mode: str  # full | incremental
    recomputed: int  # the partitions (reports, or bodies) computed by this build
    unit: str = "reports"  # what a partition is: reports | bodies

    def as_metadata(self) -> dict[str, str | int]:
        return {"mode": self.mode, f"{self.unit}_recomputed": self.recomputed}


def report_versions(changes_with: str = "") -> str:
    """(report_id, batch_id, fingerprint) of every report of dim_report: what an incremental model was built from."""
    if not changes_with:
        return "select report_id, batch_id, null::ubigint as fingerprint from dim_report"
    relation, columns, _ = parse_changes_with(changes_with)
    hashed = f"hash({', '.join(f'w.{c}' for c in columns)})" if columns else "hash(w)"
    return (f"select d.report_id, d.batch_id, {hashed}::ubigint as fingerprint "
            f"from dim_report as d left join {relation} as w on w.report_id = d.report_id")


def body_versions(changes_with: str) -> str:
    """(body_key, fingerprint) of every body of the `changes_with` relation: the hash of its reports' parses
    (report_id, batch_id) and rows there, in report order; only the rows its condition keeps, if it has one."""
    relation, columns, condition = parse_changes_with(changes_with)
    row = ", ".join(f"w.{c}" for c in columns) if columns else "w"
    rows = f"(select * from {relation} where {condition})" if condition else relation
    return (f"select w.body_key, hash(list(hash(d.report_id, d.batch_id, {row}) order by d.report_id))::ubigint "
            f"as fingerprint from {rows} as w join dim_report as d on d.report_id = w.report_id "
            "where w.body_key is not null group by w.body_key")


def parse_changes_with(changes_with: str) -> tuple[str, tuple[str, ...], str]:
    """`staging.stg_body_reports (body_name, report_year) where is_body_primary` → the relation, the columns
    (none: all) and the condition (empty: every row)."""
    head, _, condition = changes_with.partition(" where ")
    relation, _, columns = head.partition("(")
    return (relation.strip(), tuple(c.strip() for c in columns.rstrip(") ").split(",") if c.strip()),
            condition.strip())


@dataclass(frozen=True)
class Partitioning:
    """How an incremental model is cut: what a partition is, its key column, the query of every partition's
    version now, its bookkeeping table and the columns recorded there."""

    unit: str  # reports | bodies
    key: str  # the output column naming the partition
    versions: Callable[[str], str]  # changes_with → one row per partition: what its rows would be built from
    table: str  # the bookkeeping table
    columns: tuple[str, ...]  # recorded per partition, after (model, code_version)

    def create(self) -> str:
        types = {"report_id": "varchar", "batch_id": "varchar", "body_key": "varchar", "fingerprint": "ubigint"}
        cols = ", ".join(f"{c} {types[c]}" for c in self.columns)
        return f"create table if not exists {self.table} (model varchar, code_version varchar, {cols})"


PARTITIONS = {
    BY_REPORT: Partitioning("reports", "report_id", report_versions, MODEL_REPORTS,
                            ("report_id", "batch_id", "fingerprint")),
    BY_BODY: Partitioning("bodies", "body_key", body_versions, MODEL_BODIES, ("body_key", "fingerprint")),
}


def build_incremental(
    conn: duckdb.DuckDBPyConnection, schema: str, name: str, body: str, version: str, changes_with: str = "",
    kind: str = BY_REPORT,
) -> IncrementalResult:
    """Build `schema.name` from `body` in full or for the changed reports (bodies) only; call inside a transaction.

    `version` is what the rows depend on besides the data: a build with another version is a full one.
    `changes_with` names the per-report relation whose rows the model also depends on (module docstring).
    """
    part = PARTITIONS[kind]
    model = f"{schema}.{name}"
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(part.create())
    if kind == BY_REPORT:  # older warehouses
        conn.execute(f"alter table {MODEL_REPORTS} add column if not exists fingerprint ubigint")
    versions_now = part.versions(changes_with)
    recorded = ", ".join(part.columns)
    exists = kind_of(conn, schema, name) == "table"
    versions = {v for (v,) in conn.execute(
        f"select distinct code_version from {part.table} where model = ?", [model]).fetchall()}
    changed: list[str] | None = None
    if exists and versions == {version}:
        changed = [r for (r,) in conn.execute(
            f"""
            with now as ({versions_now}),
            built as (select {recorded} from {part.table} where model = $1)
            select {part.key} from (select * from now except select * from built)
            union
            select {part.key} from (select * from built except select * from now)
            """,
            [model],
        ).fetchall()]
    if changed is None or len(changed) > MAX_CHANGED:
        replace_relation(conn, schema, name, "table", body)
        conn.execute(f"delete from {part.table} where model = ?", [model])
        conn.execute(f"insert into {part.table} (model, code_version, {recorded}) "
                     f"select ?, ?, * from ({versions_now})", [model, version])
        count = conn.execute(f"select count(*) from {part.table} where model = ?", [model]).fetchall()[0][0]
        return IncrementalResult("full", count, part.unit)
    if changed:
        ids = ", ".join(quote(i) for i in sorted(changed))  # a literal list: DuckDB pushes it down to the scans
        conn.execute(f"delete from {model} where {part.key} in ({ids})")
        conn.execute(f"insert into {model} select * from ({body}) where {part.key} in ({ids})")
        conn.execute(f"delete from {part.table} where model = ? and {part.key} in ({ids})", [model])
        conn.execute(
            f"insert into {part.table} (model, code_version, {recorded}) "
            f"select ?, ?, * from ({versions_now}) where {part.key} in ({ids})",
            [model, version],
        )
    return IncrementalResult("incremental", len(changed), part.unit)
