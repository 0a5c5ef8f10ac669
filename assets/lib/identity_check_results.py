"""The accounting identities of spec §7 as Dagster asset checks on the fact tables they concern (warn only).

A report that breaks an identity is data to look at, never a reason to stop loading the others, so each
check is a WARN with how many reports break it and a sample of the failures, read from the view
`identity_checks`. The descriptions are derived from the identities themselves (`pipeline/identities.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

import dagster as dg
import duckdb
import polars as pl

from assets.lib.ui_metadata import markdown_table
from pipeline.identities import Identity, identities
from pipeline.templates import APPLICATION_ROWS


def check_name(identity: str) -> str:
    return f"identity_{identity}"


def _over(ident: Identity) -> str:
    """What an identity repeated within one report repeats over: its target is a column, or a row."""
    return "column" if ident.target[2] == ident.target_name else "row"


@cache
def formulas() -> dict[str, str]:
    """identity id → its formula (from pipeline.identities), per template where the templates differ.

    An identity evaluated once per column (or row) shows that column's instance with the name made generic.
    """
    by_id: dict[str, dict[str, str]] = {}
    suffix: dict[str, str] = {}
    for template in APPLICATION_ROWS:
        instances = identities(template)
        for ident in instances:
            if sum(i.id == ident.id for i in instances) > 1:
                suffix[ident.id] = f", for each {_over(ident)}"
                text = ident.formula.replace(ident.target_name, _over(ident))
            else:
                text = ident.formula
            by_id.setdefault(ident.id, {}).setdefault(template, text)
    out = {}
    for identity, per_template in by_id.items():
        texts = set(per_template.values())
        joined = texts.pop() if len(texts) == 1 else "; ".join(f"{t}: {f}" for t, f in per_template.items())
        out[identity] = joined + suffix.get(identity, "")
    return out


def check_specs(key: dg.AssetKey, ids: Iterable[str]) -> list[dg.AssetCheckSpec]:
    known = formulas()
    for identity in ids:
        if identity not in known:
            raise ValueError(f"{key.to_user_string()}: identity {identity} is not in pipeline/identities.py")
    return [
        dg.AssetCheckSpec(check_name(i), asset=key, description=f"{i}: {known[i]} (warn only)") for i in ids
    ]


def summary(conn: duckdb.DuckDBPyConnection, identity: str) -> dict[str, int]:
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


def failures(conn: duckdb.DuckDBPyConnection, identity: str, limit: int = 20):
    """The failing evaluations of one identity, as a polars frame (for the check's preview)."""
    return conn.sql(
        """
        select organization, report_year, target, left_value, right_value, source_file
        from identity_checks where identity = ? and status = 'fail'
        order by report_year, organization, target limit ?
        """,
        params=[identity, limit],
    ).pl()


SUMMARY_KEYS = ("reports_evaluated", "reports_failing", "failed_evaluations", "not_evaluable")


def summaries(conn: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, dict[str, int]]:
    """`summary` of several identities in one scan of `identity_checks` (per report first: two distinct counts
    over four million evaluations cost twice as much)."""
    rows = conn.execute(
        """
        with per_report as (
            select identity, report_id,
                   count(*) filter (where status = 'fail') as failed,
                   count(*) filter (where status = 'not_evaluable') as not_evaluable
            from identity_checks where list_contains(?, identity) group by identity, report_id
        )
        select identity, count(*), count(*) filter (where failed > 0), sum(failed)::bigint, sum(not_evaluable)::bigint
        from per_report group by identity
        """,
        [ids],
    ).fetchall()
    found = {identity: dict(zip(SUMMARY_KEYS, counts, strict=True)) for identity, *counts in rows}
    return {i: found.get(i, dict.fromkeys(SUMMARY_KEYS, 0)) for i in ids}


def failures_of(conn: duckdb.DuckDBPyConnection, ids: list[str], limit: int = 20) -> dict[str, pl.DataFrame]:
    """`failures` of several identities in one scan of `identity_checks`."""
    frame = conn.sql(
        """
        select identity, organization, report_year, target, left_value, right_value, source_file
        from identity_checks where list_contains(?, identity) and status = 'fail'
        qualify row_number() over (partition by identity order by report_year, organization, target) <= ?
        order by identity, report_year, organization, target
        """,
        params=[ids, limit],
    ).pl()
    return {i: frame.filter(pl.col("identity") == i).drop("identity") for i in ids}


class IdentityChecks:
    """The identity checks of one step (every model's, `identities`), read from `identity_checks` in two scans
    for all of them, made when the first result is asked for: the view and dim_report are built by then (every
    model with identities depends on them), and no later model of the step changes them."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, identities: Iterable[str]):
        self.conn = conn
        self.identities = list(dict.fromkeys(identities))
        self._counts: dict[str, dict[str, int]] | None = None
        self._failures: dict[str, pl.DataFrame] = {}

    def results(self, key: dg.AssetKey, ids: Iterable[str], selected: set[dg.AssetCheckKey]
                ) -> Iterator[dg.AssetCheckResult]:
        """The result of every selected identity check on `key`."""
        wanted = [i for i in ids if dg.AssetCheckKey(key, check_name(i)) in selected]
        if not wanted:
            return
        if self._counts is None or not set(wanted) <= set(self._counts):
            scanned = list(dict.fromkeys([*self.identities, *wanted]))
            self._counts, self._failures = summaries(self.conn, scanned), failures_of(self.conn, scanned)
        for identity in wanted:
            counts = self._counts[identity]
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=check_name(identity),
                passed=counts["reports_failing"] == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    **counts,
                    "formula": formulas()[identity],
                    "failures": dg.MetadataValue.md(markdown_table(self._failures[identity])),
                },
            )

