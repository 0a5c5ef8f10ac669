"""`python -m assets.lib.summary`: what `make run` prints after the run, for a person at a terminal.

Where the warehouse is and what it holds, what this run added or changed (from the run's materializations in
DAGSTER_HOME), and what needs a look: refused files with their reasons, files still pending, reports with no
value and the other rows of `report_problems`, and the last failed run if it is not fixed yet. Everything
else (the 50 tables, row counts) is one `make sql` away.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

from assets.lib.storage import PROJECT_ROOT, published_warehouse

SHOWN = 10  # rows listed per kind of problem
FAILURE_MARKER = "LAST_RUN_FAILED.txt"  # written by the sensor record_run_failure (assets/defs/failure_alerts.py)
PROBLEM_WORDS = {
    "refused": "refused (in quarantine, not in the warehouse)",
    "no_cells": "parsed with no value at all",
    "parse_errors": "with values that could not be placed",
    "identity_failed": "breaking an accounting identity",
    "pending": "not parsed yet (still being written, or changed during the run)",
}


def shown(path: str | Path) -> str:
    """A path relative to the project when it is inside it."""
    path = Path(path)
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def this_run(instance=None) -> str | None:
    """What the last run scanned and parsed, from its materializations (None without DAGSTER_HOME); `instance`:
    the Dagster instance the caller has open (`make run` ran the job on it), else DAGSTER_HOME's is opened."""
    if instance is None and not os.environ.get("DAGSTER_HOME"):
        return None
    import dagster as dg

    def metadata(instance: dg.DagsterInstance, key: list[str]) -> dict:
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        materialization = event.asset_materialization if event else None
        return {k: v.value for k, v in materialization.metadata.items()} if materialization else {}

    if instance is not None:
        scan, parse = metadata(instance, ["raw", "report_files"]), metadata(instance, ["parsed", "reports"])
    else:
        with dg.DagsterInstance.get() as opened:
            scan, parse = metadata(opened, ["raw", "report_files"]), metadata(opened, ["parsed", "reports"])
    if not scan:
        return None
    return (f"{counted(scan.get('new_or_changed_files', 0), 'file')} new or changed, "
            f"{scan.get('removed_files', 0)} deleted or replaced; {counted(parse.get('parsed', 0), 'report')} parsed, "
            f"{counted(parse.get('quarantined', 0), 'file')} refused")


def counted(n: int, noun: str) -> str:
    """`1 file`, `2 files`: the terminal's lines read as sentences."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def _listing(rows: Iterable[tuple], total: int) -> list[str]:
    lines = [f"      {shown(path)}{f' ({who})' if who else ''}: {detail}" for path, who, detail in rows]
    if total > SHOWN:
        lines.append(f"      … and {total - SHOWN} more")
    return lines


def report(database: Path, instance=None) -> list[str]:
    """The lines to print about the published warehouse at `database` (`instance`: see `this_run`)."""
    if not database.exists():
        return [f"No warehouse at {shown(database)} yet: the run did not publish one (see the errors above)."]
    conn = duckdb.connect(str(database), read_only=True)
    try:
        reports, bodies, first, last = _rows(
            conn, "select count(*), count(distinct body_key), min(report_year), max(report_year) "
                  "from dim_report where is_current")[0]
        years = f", {first}–{last}" if first is not None else ""
        lines = [f"Warehouse: {shown(database)} ({reports} current reports of {bodies} bodies{years})"]
        if (run := this_run(instance)) is not None:
            lines.append(f"This run:  {run}")
        kinds = dict(_rows(conn, "select problem, count(*) from report_problems group by all"))
        if not kinds:
            lines.append("Problems:  none (select * from report_problems lists them when there are)")
        for kind, words in PROBLEM_WORDS.items():
            if not kinds.get(kind):
                continue
            lines.append(f"  {kinds[kind]} {'file' if kinds[kind] == 1 else 'files'} {words}:")
            rows = _rows(conn, "select source_file, concat_ws(' ', organization, report_year::varchar), detail "
                               f"from report_problems where problem = '{kind}' order by source_file limit {SHOWN}")
            lines += _listing(rows, kinds[kind])
    finally:
        conn.close()
    marker = database.parent / FAILURE_MARKER
    if marker.exists():
        lines += ["", "The last scheduled or UI run FAILED (data/warehouse/LAST_RUN_FAILED.txt):",
                  *(f"  {line}" for line in marker.read_text(encoding="utf-8").splitlines())]
    lines += ["", "Next: make sql (query it read-only) · make export (CSV and Excel) · make ui (the Dagster UI)",
              "      every problem: select * from report_problems;"]
    return lines


def main(argv: list[str] | None = None) -> None:
    import argparse

    argparse.ArgumentParser(prog="python -m assets.lib.summary", description=__doc__.split("\n\n")[0],
                            ).parse_args(argv)
    print("\n" + "\n".join(report(published_warehouse())))


if __name__ == "__main__":
    main()
