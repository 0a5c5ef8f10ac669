"""The warehouse's own quality rules as asset checks, on the tables they concern, so the UI shows them.

* `unique_key` on every table whose SQL file says `-- unique:`, and `one_current_report_per_body_year` on
  dim_report: the rules the publish step enforces (`assets/lib/atomic_publish.py`), shown where they hold;
  an ERROR (the publish step refuses such a build all the same). Views are not checked: counting a view over
  ten million cells would compute it, and their keys follow from the load's checks.
* `reports_have_cells` on dim_report (WARN): a report that yielded no value is a problem, not a clean parse.
* `reports_per_year` on dim_report (WARN): current reports per year, against the last published warehouse;
  fails when a year lost reports (files gone, or a parse that now yields less).
* `no_new_refusals` on quarantine (WARN): files refused now that the last published warehouse did not refuse.

The comparisons attach the published file read-only; with no published file yet they pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from assets.lib.duckdb_ops import quote
from assets.lib.model_files import Model
from assets.lib.ui_metadata import markdown_table

LAST = "last_publish"  # the published file, attached read-only while the checks read it


def checks_of(model: Model) -> dict[str, str]:
    """check name → description, for the checks on one model."""
    checks = {}
    if model.unique and model.kind != "view":
        checks["unique_key"] = f"No two rows share ({', '.join(model.unique)}) (error; publish refuses a duplicate)."
    if model.key == ("dim_report",):
        checks["one_current_report_per_body_year"] = (
            "Each body (body_key) and year has at most one current report (error; publish refuses two)."
        )
        checks["reports_have_cells"] = (
            "Every report in data/raw/ placed at least one value (warn: see report_problems)."
        )
        checks["reports_per_year"] = "No year has fewer current reports than in the last published warehouse (warn)."
    if model.key == ("quarantine",):
        checks["no_new_refusals"] = "No file is refused that the last published warehouse did not refuse (warn)."
    return checks


def check_specs(key: dg.AssetKey, model: Model) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name, asset=key, description=text) for name, text in checks_of(model).items()]


@contextmanager
def last_publish(conn: duckdb.DuckDBPyConnection, published: Path) -> Iterator[bool]:
    """The published warehouse attached read-only as `last_publish` (False when there is none to compare)."""
    if not Path(published).exists():
        yield False
        return
    try:
        conn.execute(f"attach {quote(str(published))} as {LAST} (read_only)")
    except duckdb.Error:
        yield False
        return
    try:
        yield True
    finally:
        conn.execute(f"detach {LAST}")


def _frame(conn: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return conn.sql(sql).pl()


def _result(key: dg.AssetKey, name: str, passed: bool, severity: dg.AssetCheckSeverity, metadata: dict):
    return dg.AssetCheckResult(asset_key=key, check_name=name, passed=passed, severity=severity, metadata=metadata)


def unique_key(conn: duckdb.DuckDBPyConnection, key: dg.AssetKey, model: Model) -> dg.AssetCheckResult:
    cols = ", ".join(model.unique)
    dupes = _frame(conn, f"select {cols}, count(*) as n from {model.relation} group by all having n > 1 limit 20")
    return _result(key, "unique_key", dupes.is_empty(), dg.AssetCheckSeverity.ERROR,
                   {"key": cols, "duplicated_keys": dupes.height, "sample": dg.MetadataValue.md(markdown_table(dupes))})


def one_current(conn: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dg.AssetCheckResult:
    twice = _frame(conn, "select body_key, report_year, count(*) as current_reports from dim_report "
                         "where is_current and body_key is not null and report_year is not null "
                         "group by all having count(*) > 1 order by all limit 20")
    return _result(key, "one_current_report_per_body_year", twice.is_empty(), dg.AssetCheckSeverity.ERROR,
                   {"body_years_with_two": twice.height, "sample": dg.MetadataValue.md(markdown_table(twice))})


def with_cells(conn: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dg.AssetCheckResult:
    empty = _frame(conn, "select source_file, organization, report_year, status, n_findings from dim_report "
                         "where no_cells and status <> 'deleted' order by source_file")
    shown = dg.MetadataValue.md(markdown_table(empty.head(50)))
    return _result(key, "reports_have_cells", empty.is_empty(), dg.AssetCheckSeverity.WARN,
                   {"reports_with_no_cells": empty.height, "reports": shown})


def per_year(conn: duckdb.DuckDBPyConnection, key: dg.AssetKey, compare: bool) -> dg.AssetCheckResult:
    now = "select report_year, count(*) as reports from dim_report where is_current group by all"
    if compare:
        sql = (f"select report_year, coalesce(b.reports, 0) as published, coalesce(n.reports, 0) as now "
               f"from ({now}) as n full join (select report_year, count(*) as reports "
               f"from {LAST}.main.dim_report where is_current group by all) as b using (report_year) order by all")
    else:
        sql = f"select report_year, null::bigint as published, reports as now from ({now}) order by all"
    years = _frame(conn, sql)
    dropped = years.filter(pl.col("now") < pl.col("published")) if compare else years.clear()
    return _result(key, "reports_per_year", dropped.is_empty(), dg.AssetCheckSeverity.WARN,
                   {"years_with_fewer_reports": dropped.height, "compared_with_last_publish": compare,
                    "reports_per_year": dg.MetadataValue.md(markdown_table(years))})


def new_refusals(conn: duckdb.DuckDBPyConnection, key: dg.AssetKey, compare: bool) -> dg.AssetCheckResult:
    known = (f"and not exists (select 1 from {LAST}.main.quarantine as b where b.path = q.path "
             "and b.sha256 = q.sha256)") if compare else ""
    new = _frame(conn, f"select path, code, reason from quarantine as q where true {known} order by path")
    total = conn.execute("select count(*) from quarantine").fetchall()[0][0]
    return _result(key, "no_new_refusals", new.is_empty(), dg.AssetCheckSeverity.WARN,
                   {"newly_refused": new.height, "refused_in_all": total,
                    "files": dg.MetadataValue.md(markdown_table(new.head(50)))})


def check_results(conn: duckdb.DuckDBPyConnection, key: dg.AssetKey, model: Model,
                  selected: set[dg.AssetCheckKey], published: Path) -> Iterator[dg.AssetCheckResult]:
    """The result of every selected quality check on `model`, just built in `conn`."""
    wanted = [name for name in checks_of(model) if dg.AssetCheckKey(key, name) in selected]
    if not wanted:
        return
    with last_publish(conn, published) as compare:
        for name in wanted:
            if name == "unique_key":
                yield unique_key(conn, key, model)
            elif name == "one_current_report_per_body_year":
                yield one_current(conn, key)
            elif name == "reports_have_cells":
                yield with_cells(conn, key)
            elif name == "reports_per_year":
                yield per_year(conn, key, compare)
            elif name == "no_new_refusals":
                yield new_refusals(conn, key, compare)
