"""The warehouse's DuckDB relations, declared as data: name, description, upstream assets and one SELECT.

Each SELECT reads the `loaded` tables (every Parquet batch mirrored into DuckDB, `assets/lib/loaded.py`),
the manifest and the relations built before it. `build_table` swaps the result in with `create or replace`
inside one transaction. The small tables (`dim_report`, `file_manifest`, `quarantine`) are tables; the
fact relations, `findings` and `identity_checks` are views (`view=True`): a run inserts the new batches
into `loaded` and copies nothing else, and an analyst's query reads one parse per report. Tables are
built in the build file; analysts see them once the publish asset has replaced the published file
(`assets/lib/publish.py`).

Every report is read from exactly one parse batch (`dim_report.batch_id`: the current parser version,
then the latest batch), and every fact, finding and check row joins on (report_id, batch_id): a content
parsed twice (a run killed between writing a new batch and dropping the old one) is never counted twice.

Report identity and versions (`dim_report`): a report is one content (report_id = sha256), wherever and
however many times it was landed (`file_manifest` lists every path). Reports of the same body
(`body_key`, pipeline/bodies.py) and the same `report_year` are versions of one report: the newest
(`published_on`, then `first_seen`) whose file is still in the raw directory `is_current`; the others
are `superseded` or `deleted`, and stay in every table as history.

The fact tables are long: one row per (report, item, measure), carrying the template of the table
in that report and the unit of the value. Measures of the 2019 and 2021 templates keep their own
keys (spec §8): `decisions` is the only measure the two share, and the crosswalk seed
`seeds.canonical_mapping` says how comparable each measure is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from assets.lib.loaded import table_of
from pipeline import PARSER_VERSION
from pipeline import export as ex
from pipeline.bodies import assign_body_keys

IDENTITY_FORMULAS = {
    "A1": "new_received + carried_over = total + carried_forward (each column; printed note)",
    "A2": "total = sum of the outcome rows (each column)",
    "A3": "row total = sum of the six applicant columns (each row)",
    "R1": "review_total = upheld + corrected + other + pending",
    "R2": "litigation_direct_total = sum of its four parts",
    "R3": "litigation_after_review_total = sum of its four parts",
}


@dataclass(frozen=True)
class WarehouseTable:
    name: str
    description: str
    deps: tuple[str, ...]  # asset keys, "/"-separated
    sql: str  # one SELECT; {dataset} placeholders become read_parquet(...) of that dataset
    identities: tuple[str, ...] = ()  # identity checks reported on this table (spec §7)
    unique_key: tuple[str, ...] = ()  # columns no two rows share (checked before publishing)
    inputs: tuple[str, ...] = ()  # frames computed in Python and registered under these names (INPUTS)
    view: bool = False  # a view (computed when read) rather than a table: the fact, finding and check relations


def _quote(text: str) -> str:
    return "'{}'".format(text.replace("'", "''"))


def _sources(manifest: Path) -> dict[str, str]:
    """`{name}` → SQL: every dataset is its `loaded` table (assets/lib/loaded.py), the manifest its Parquet file."""
    sources = {name: table_of(name) for name in ex.DATASETS}
    return {**sources, "manifest": f"read_parquet({_quote(str(manifest))})", "parser_version": _quote(PARSER_VERSION)}


def body_keys_frame(conn: duckdb.DuckDBPyConnection, sources: dict[str, str]) -> pl.DataFrame:
    """organization → body_key (pipeline/bodies.py) for every organization name of every parsed report."""
    names = conn.sql(
        f"select distinct organization from {sources['reports']} "
        "where organization is not null and trim(organization) <> ''"
    ).fetchall()
    keys = assign_body_keys(name for (name,) in names)
    return pl.DataFrame(
        [(name, key, ambiguous) for name, (key, ambiguous) in sorted(keys.items())],
        schema={"organization": pl.String, "body_key": pl.String, "body_ambiguous": pl.Boolean},
        orient="row",
    )


INPUTS: dict[str, Callable[[duckdb.DuckDBPyConnection, dict[str, str]], pl.DataFrame]] = {
    "body_keys": body_keys_frame,
}


def render(table: WarehouseTable, manifest: Path) -> str:
    return table.sql.format(**_sources(manifest), **{name: f"_input_{name}" for name in table.inputs})


# Every table and view (DuckDB's catalog lists them apart): database_name, schema_name, table_name, kind, comment.
RELATIONS = """(
    select database_name, schema_name, table_name, 'table' as kind, comment
    from duckdb_tables() where not temporary
    union all
    select database_name, schema_name, view_name, 'view', comment
    from duckdb_views() where not internal and not temporary
)"""


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

    Call inside a transaction: readers see the old relation or the new one, never none.
    """
    existing = kind_of(conn, schema, name)
    if existing is not None and existing != kind:
        conn.execute(f"drop {existing} {schema}.{name}")
    conn.execute(f"create or replace {kind} {schema}.{name} as {select}")


def build_table(conn: duckdb.DuckDBPyConnection, table: WarehouseTable, manifest: Path) -> None:
    """Replace the table (or view) atomically with the result of its SELECT."""
    sources = _sources(manifest)
    for name in table.inputs:
        conn.register(f"_input_{name}", INPUTS[name](conn, sources))
    conn.execute("begin transaction")
    try:
        replace_relation(conn, "main", table.name, "view" if table.view else "table", render(table, manifest))
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    finally:
        for name in table.inputs:
            conn.unregister(f"_input_{name}")


def identity_summary(conn: duckdb.DuckDBPyConnection, identity: str) -> dict[str, int]:
    """How many reports an identity was evaluated on, and how many break it somewhere."""
    row = conn.execute(
        """
        select count(distinct report_id),
               count(distinct report_id) filter (where status = 'fail'),
               count(*) filter (where status = 'fail'),
               count(*) filter (where status = 'not_evaluable')
        from identity_checks where identity = ?
        """,
        [identity],
    ).fetchall()[0]
    keys = ("reports_evaluated", "reports_failing", "failed_evaluations", "not_evaluable")
    return dict(zip(keys, row, strict=True))


def identity_failures(conn: duckdb.DuckDBPyConnection, identity: str, limit: int = 20):
    """The failing evaluations of one identity, as a polars frame (for the check's preview)."""
    return conn.sql(
        """
        select organization, report_year, target, left_value, right_value, source_file
        from identity_checks where identity = ? and status = 'fail'
        order by report_year, organization, target limit ?
        """,
        params=[identity, limit],
    ).pl()


_CELL_COLUMNS = """
        c.value, c.value_is_integer, c.raw, c.unit as unit_written,
        c.label_inferred, c.provenance, c.line"""

_REPORT_COLUMNS = "c.report_id, d.organization, d.report_year, c.template, d.is_current"

# The 2019 ↔ 2021 crosswalk (spec §8, written by `python -m pipeline.crosswalk`): unit, comparability
# and canonical measure of every (template, table, row, column). A 2021 （六） sub-row maps twice (on
# its own, and into the derived 2019 row); a fact row takes its own mapping, so cells never duplicate.
_CROSSWALK = """
        left join (
            select * from seeds.canonical_mapping
            qualify row_number() over (
                partition by template, source_table, source_row, source_column
                order by canonical_row = source_row desc, canonical_row
            ) = 1
        ) as m
          on m.template = c.template and m.source_table = c.table_key
         and m.source_row = c.row_key and m.source_column = c.column_key"""


def _disclosure_fact(name: str, table_key: str, what: str) -> WarehouseTable:
    return WarehouseTable(
        name=name,
        description=(
            f"{what} (section 二, table `{table_key}`): one row per report, item and measure. "
            "2019 and 2021 measures keep their own keys (`measure`); `canonical_measure` and "
            "`comparability` come from the spec §8 crosswalk. `unit` is the unit of `value`, "
            "`unit_written` the unit printed in the cell."
        ),
        deps=(f"loaded/{table_key}", "dim_report", "seeds/canonical_mapping"),
        sql=f"""
        select {_REPORT_COLUMNS},
               c.row_key as item, c.column_key as measure, m.unit,
               m.canonical_column as canonical_measure, m.comparability,{_CELL_COLUMNS}
        from {{{table_key}}} as c
        join dim_report as d using (report_id, batch_id){_CROSSWALK}
        """,
        unique_key=("report_id", "item", "measure"),
        view=True,
    )


TABLES: tuple[WarehouseTable, ...] = (
    WarehouseTable(
        name="file_manifest",
        description="Every (path, content) ever landed: sha256, size, first seen, and what became of it: "
        "`parsed`, `quarantined` or `pending` while the file is there; `replaced` (the path now holds new "
        "content) or `deleted` once it left (`deleted_at`). Rows with a `quarantine_code` and a "
        "`deleted_at` are the quarantine's history.",
        deps=("raw/report_files", "loaded/reports", "loaded/quarantine"),
        sql="""
        with parsed as (select distinct sha256 from {reports}),
        refused as (
            select sha256, arg_max(code, batch_id) as code, arg_max(reason, batch_id) as reason
            from {quarantine} where sha256 not in (select sha256 from parsed) group by sha256
        ),
        present_paths as (select distinct path from {manifest} where deleted_at is null)
        select m.path, m.sha256, m.size_bytes, m.first_seen, m.deleted_at,
               case when m.deleted_at is not null and p.path is not null then 'replaced'
                    when m.deleted_at is not null then 'deleted'
                    when r.sha256 is not null then 'parsed'
                    when q.sha256 is not null then 'quarantined'
                    else 'pending' end as status,
               r.sha256 as report_id, q.code as quarantine_code, q.reason as quarantine_reason
        from {manifest} as m
        left join parsed as r using (sha256)
        left join refused as q using (sha256)
        left join present_paths as p on p.path = m.path and m.deleted_at is not null
        order by m.path, m.first_seen
        """,
        unique_key=("path", "sha256"),
    ),
    WarehouseTable(
        name="dim_report",
        description="One row per report version (report_id = sha256 of the raw bytes): organization, "
        "`body_key`, year, template, encoding, publication date, source file. Versions of one report "
        "(same body and report_year, different bytes): the newest present one `is_current` (status "
        "`current`), the others are `superseded` (`superseded_by`) or `deleted` (`deleted_at`).",
        deps=("raw/report_files", "loaded/reports"),
        sql="""
        with files as (
            select sha256,
                   min(path) filter (where deleted_at is null) as present_path, min(path) as any_path,
                   count(*) filter (where deleted_at is null) as n_paths,
                   min(first_seen) as first_seen, any_value(size_bytes) as size_bytes,
                   bool_or(deleted_at is null) as present, max(deleted_at) as last_deleted_at
            from {manifest} group by sha256
        ),
        parses as (  -- one parse per report: the current parser version, then the latest batch
            select * replace (try_cast(published_on as date) as published_on) from {reports}
            qualify row_number() over (
                partition by report_id order by parser_version = {parser_version} desc, batch_id desc
            ) = 1
        ),
        reports as (
            select r.*, coalesce(f.present_path, f.any_path, r.file) as source_file,
                   coalesce(f.n_paths, 0) as n_paths, f.first_seen, f.size_bytes,
                   coalesce(f.present, false) as present,
                   case when not coalesce(f.present, false) then f.last_deleted_at end as deleted_at,
                   k.body_key,
                   case when k.body_key is null or r.report_year is null then r.report_id
                        else k.body_key || '|' || r.report_year end as version_group
            from parses as r
            left join files as f on f.sha256 = r.report_id
            left join {body_keys} as k on k.organization = r.organization
        ),
        ranked as (
            select *,
                   present and row_number() over (
                       partition by version_group
                       order by present desc, published_on desc nulls last, first_seen desc nulls last,
                                report_id desc
                   ) = 1 as is_current,
                   row_number() over (
                       partition by version_group
                       order by published_on nulls first, first_seen nulls first, report_id
                   ) as version,
                   count(*) over (partition by version_group) as n_versions
            from reports
        )
        select report_id, organization, body_key, report_year, template,
               encoding, encoding_confidence, published_on, source_file, sha256, size_bytes, n_paths,
               first_seen, is_current,
               case when is_current then 'current' when present then 'superseded' else 'deleted' end as status,
               version, n_versions,
               case when not is_current then max(case when is_current then report_id end)
                    over (partition by version_group) end as superseded_by,
               deleted_at, input_format, layout, table_templates, parser_version, n_cells, n_findings, batch_id
        from ranked
        order by report_year, organization, report_id
        """,
        unique_key=("report_id",),
        inputs=("body_keys",),
    ),
    WarehouseTable(
        name="quarantine",
        description="Files in the raw directory now that are not usable reports (empty, binary, "
        "undecodable, not a report, too large, parse timeout), with the reason; they never stop a run. "
        "A file leaves it when its path gets new content that parses (history: `file_manifest`).",
        deps=("loaded/quarantine", "loaded/reports", "raw/report_files"),
        sql="""
        with refused as (
            select sha256, arg_max(code, batch_id) as code, arg_max(reason, batch_id) as reason,
                   arg_max(parser_version, batch_id) as parser_version
            from {quarantine} where sha256 not in (select sha256 from {reports}) group by sha256
        )
        select m.path, q.sha256, q.code, q.reason, q.parser_version, m.size_bytes, m.first_seen
        from {manifest} as m
        join refused as q using (sha256)
        where m.deleted_at is null
        order by m.path
        """,
        unique_key=("path",),
    ),
    WarehouseTable(
        name="findings",
        description="Every finding of every report (parser and identity findings), with its cell.",
        deps=("loaded/findings", "dim_report"),
        sql="""
        select c.report_id, d.organization, d.report_year, d.source_file,
               c.severity, c.code, c.message, c.table_key, c.row_key, c.column_key,
               c.line, c.left_value, c.right_value, c.cells, c.raw
        from {findings} as c
        join dim_report as d using (report_id, batch_id)
        """,
        view=True,
    ),
    WarehouseTable(
        name="identity_checks",
        description="Every accounting-identity evaluation (spec §7: A1–A3, R1–R3) of every report: "
        "pass, fail or not_evaluable, with both sides.",
        deps=("loaded/checks", "dim_report"),
        sql="""
        select c.report_id, d.organization, d.report_year, d.template, d.source_file,
               c.identity, c.table_key, c.target, c.status,
               c.left_value, c.right_value, c.had_nulls, c.formula
        from {checks} as c
        join dim_report as d using (report_id, batch_id)
        """,
        view=True,
    ),
    WarehouseTable(
        name="fact_applications",
        description="Applications (section 三): one row per report, outcome row and applicant type; "
        "numbers of applications (件). `outcome_group` rolls the rows up (denied, unable, "
        "not_processed, other_processing); `comparability` comes from the spec §8 crosswalk.",
        deps=(
            "loaded/applications",
            "dim_report",
            "seeds/canonical_mapping",
            "seeds/application_rows",
            "identity_checks",
        ),
        sql=f"""
        select {_REPORT_COLUMNS},
               c.row_key as outcome, a.outcome_group, cast(a.row_order as integer) as row_order,
               c.column_key as applicant_type,
               m.unit, m.comparability,{_CELL_COLUMNS}
        from {{applications}} as c
        join dim_report as d using (report_id, batch_id)
        left join seeds.application_rows as a on a.template = c.template and a.row_key = c.row_key{_CROSSWALK}
        """,
        identities=("A1", "A2", "A3"),
        unique_key=("report_id", "outcome", "applicant_type"),
        view=True,
    ),
    WarehouseTable(
        name="fact_review_litigation",
        description="Administrative review and litigation (section 四): one row per report and measure "
        "(15 measures, identical in both templates); cases (件).",
        deps=("loaded/review_litigation", "dim_report", "seeds/canonical_mapping", "identity_checks"),
        sql=f"""
        with crosswalk as (  -- the same in both templates, so any report template finds its row
            select distinct source_column, unit, comparability
            from seeds.canonical_mapping where source_table = 'review_litigation'
        )
        select {_REPORT_COLUMNS},
               c.column_key as measure, m.unit, m.comparability,{_CELL_COLUMNS}
        from {{review_litigation}} as c
        join dim_report as d using (report_id, batch_id)
        left join crosswalk as m on m.source_column = c.column_key
        """,
        identities=("R1", "R2", "R3"),
        unique_key=("report_id", "measure"),
        view=True,
    ),
    _disclosure_fact("fact_regulations", "art20_1", "Regulations and normative documents"),
    _disclosure_fact("fact_licensing", "art20_5", "Administrative licensing (and 2019's other services)"),
    _disclosure_fact("fact_penalties", "art20_6", "Administrative penalties (行政处罚) and coercion (行政强制)"),
    _disclosure_fact("fact_fees", "art20_8", "Administrative fees: fee-item counts (2019) or 万元 (2021)"),
    _disclosure_fact("fact_procurement", "art20_9", "Central government procurement (2019 template only)"),
)
