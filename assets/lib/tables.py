"""The warehouse's DuckDB tables, declared as data: name, description, upstream assets and one SELECT.

Each SELECT reads the Parquet datasets in bulk (`read_parquet` over a glob) and the tables built
before it; `build_table` swaps the result in with `create or replace table` inside one transaction,
so readers never see a half-built table and re-running never duplicates rows.

The fact tables are long: one row per (report, item, measure), carrying the template of the table
in that report and the unit of the value. Measures of the 2019 and 2021 templates keep their own
keys (spec §8): `decisions` is the only measure the two share, and the crosswalk seed
`seeds.canonical_mapping` says how comparable each measure is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import export as ex

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


def _sources(parquet_dir: Path, manifest: Path) -> dict[str, str]:
    def scan(path: str) -> str:
        return "read_parquet('{}')".format(path.replace("'", "''"))

    sources = {name: scan(ex.dataset_glob(parquet_dir, name)) for name in ex.DATASETS}
    return {**sources, "manifest": scan(str(manifest))}


def render(table: WarehouseTable, parquet_dir: Path, manifest: Path) -> str:
    return table.sql.format(**_sources(parquet_dir, manifest))


def build_table(conn: duckdb.DuckDBPyConnection, table: WarehouseTable, parquet_dir: Path, manifest: Path) -> None:
    """Replace the table atomically with the result of its SELECT."""
    conn.execute("begin transaction")
    try:
        conn.execute(f"create or replace table {table.name} as {render(table, parquet_dir, manifest)}")
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise


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

_REPORT_COLUMNS = "c.report_id, d.organization, d.report_year, c.template"

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
        deps=(f"parsed/{table_key}", "dim_report", "seeds/canonical_mapping"),
        sql=f"""
        select {_REPORT_COLUMNS},
               c.row_key as item, c.column_key as measure, m.unit,
               m.canonical_column as canonical_measure, m.comparability,{_CELL_COLUMNS}
        from {{{table_key}}} as c
        join dim_report as d using (report_id){_CROSSWALK}
        order by d.report_year, d.organization, c.report_id, c.row_key, c.column_key
        """,
    )


TABLES: tuple[WarehouseTable, ...] = (
    WarehouseTable(
        name="file_manifest",
        description="Every landed file (path, sha256, size, first seen) and what became of it: "
        "parsed, quarantined or pending.",
        deps=("raw/report_files", "parsed/reports", "parsed/quarantine"),
        sql="""
        select m.path, m.sha256, m.size_bytes, m.first_seen,
               case when r.sha256 is not null then 'parsed'
                    when q.sha256 is not null then 'quarantined'
                    else 'pending' end as status
        from {manifest} as m
        left join (select distinct sha256 from {reports}) as r using (sha256)
        left join (select distinct sha256 from {quarantine}) as q using (sha256)
        order by m.path
        """,
    ),
    WarehouseTable(
        name="dim_report",
        description="One row per parsed report (report_id = sha256 of the raw bytes): organization, "
        "year, template, encoding, publication date, source file.",
        deps=("raw/report_files", "parsed/reports"),
        sql="""
        with files as (
            select sha256, min(path) as source_file, count(*) as n_paths,
                   min(first_seen) as first_seen, any_value(size_bytes) as size_bytes
            from {manifest} group by sha256
        )
        select r.report_id, r.organization, r.report_year, r.template,
               r.encoding, r.encoding_confidence, try_cast(r.published_on as date) as published_on,
               f.source_file, r.sha256, f.size_bytes, f.n_paths, f.first_seen,
               r.input_format, r.layout, r.table_templates, r.parser_version, r.n_cells, r.n_findings
        from {reports} as r
        join files as f on f.sha256 = r.report_id
        qualify row_number() over (partition by r.report_id order by r.batch_id desc) = 1
        order by r.report_year, r.organization, r.report_id
        """,
    ),
    WarehouseTable(
        name="quarantine",
        description="Files that are not usable reports (empty, binary, undecodable, not a report), "
        "with the reason; they never stop a run.",
        deps=("parsed/quarantine", "raw/report_files"),
        sql="""
        select q.path, q.sha256, q.code, q.reason, q.parser_version, m.size_bytes, m.first_seen
        from {quarantine} as q
        join (select sha256, min(size_bytes) as size_bytes, min(first_seen) as first_seen
              from {manifest} group by sha256) as m using (sha256)
        order by q.path
        """,
    ),
    WarehouseTable(
        name="findings",
        description="Every finding of every report (parser and identity findings), with its cell.",
        deps=("parsed/findings", "dim_report"),
        sql="""
        select c.report_id, d.organization, d.report_year, d.source_file,
               c.severity, c.code, c.message, c.table_key, c.row_key, c.column_key,
               c.line, c.left_value, c.right_value, c.cells, c.raw
        from {findings} as c
        join dim_report as d using (report_id)
        order by d.report_year, d.organization, c.report_id, c.line
        """,
    ),
    WarehouseTable(
        name="identity_checks",
        description="Every accounting-identity evaluation (spec §7: A1–A3, R1–R3) of every report: "
        "pass, fail or not_evaluable, with both sides.",
        deps=("parsed/identity_checks", "dim_report"),
        sql="""
        select c.report_id, d.organization, d.report_year, d.template, d.source_file,
               c.identity, c.table_key, c.target, c.status,
               c.left_value, c.right_value, c.had_nulls, c.formula
        from {checks} as c
        join dim_report as d using (report_id)
        order by d.report_year, d.organization, c.report_id, c.identity, c.target
        """,
    ),
    WarehouseTable(
        name="fact_applications",
        description="Applications (section 三): one row per report, outcome row and applicant type; "
        "numbers of applications (件). `outcome_group` rolls the rows up (denied, unable, "
        "not_processed, other_processing); `comparability` comes from the spec §8 crosswalk.",
        deps=(
            "parsed/applications",
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
        join dim_report as d using (report_id)
        left join seeds.application_rows as a on a.template = c.template and a.row_key = c.row_key{_CROSSWALK}
        order by d.report_year, d.organization, c.report_id, row_order, c.column_key
        """,
        identities=("A1", "A2", "A3"),
    ),
    WarehouseTable(
        name="fact_review_litigation",
        description="Administrative review and litigation (section 四): one row per report and measure "
        "(15 measures, identical in both templates); cases (件).",
        deps=("parsed/review_litigation", "dim_report", "seeds/canonical_mapping", "identity_checks"),
        sql=f"""
        with crosswalk as (  -- the same in both templates, so any report template finds its row
            select distinct source_column, unit, comparability
            from seeds.canonical_mapping where source_table = 'review_litigation'
        )
        select {_REPORT_COLUMNS},
               c.column_key as measure, m.unit, m.comparability,{_CELL_COLUMNS}
        from {{review_litigation}} as c
        join dim_report as d using (report_id)
        left join crosswalk as m on m.source_column = c.column_key
        order by d.report_year, d.organization, c.report_id, c.column_key
        """,
        identities=("R1", "R2", "R3"),
    ),
    _disclosure_fact("fact_regulations", "art20_1", "Regulations and normative documents"),
    _disclosure_fact("fact_licensing", "art20_5", "Administrative licensing (and 2019's other services)"),
    _disclosure_fact("fact_penalties", "art20_6", "Administrative penalties (行政处罚) and coercion (行政强制)"),
    _disclosure_fact("fact_fees", "art20_8", "Administrative fees: fee-item counts (2019) or 万元 (2021)"),
    _disclosure_fact("fact_procurement", "art20_9", "Central government procurement (2019 template only)"),
)
