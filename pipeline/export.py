"""Reports → columnar frames: the boundary between the parser and the warehouse.

Pure library code (no Dagster). Python walks one report at a time only to lay its cells out as
columns; from the returned frames onward everything is polars and DuckDB. One call of `frames` gives
the datasets of one batch; where and how a batch is stored is `pipeline.batch_store`'s business.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.model import PARSER_VERSION, ParseError, Report
from pipeline.templates import TABLE_KEYS

REPORTS_SCHEMA = pl.Schema(
    {
        "report_id": pl.String,
        "file": pl.String,
        "sha256": pl.String,
        "encoding": pl.String,
        "encoding_confidence": pl.Float64,
        "template": pl.String,
        "report_year": pl.Int32,
        "organization": pl.String,
        "published_on": pl.String,
        "input_format": pl.String,
        "layout": pl.String,
        "table_templates": pl.String,  # JSON object {table: template}
        "parser_version": pl.String,
        "n_cells": pl.Int32,
        "n_findings": pl.Int32,
        "batch_id": pl.String,
    }
)

CELLS_SCHEMA = pl.Schema(
    {
        "report_id": pl.String,
        "table_key": pl.String,
        "template": pl.String,  # the template of this table in this report (reports can be hybrid)
        "row_key": pl.String,
        "column_key": pl.String,
        "value": pl.Float64,
        "value_is_integer": pl.Boolean,
        "raw": pl.String,
        "unit": pl.String,  # the unit written in the cell, if any
        "label_inferred": pl.Boolean,
        "line": pl.Int32,
        "provenance": pl.String,
    }
)

FINDINGS_SCHEMA = pl.Schema(
    {
        "report_id": pl.String,
        "severity": pl.String,
        "code": pl.String,
        "message": pl.String,
        "table_key": pl.String,
        "row_key": pl.String,
        "column_key": pl.String,
        "line": pl.Int32,
        "left_value": pl.Float64,
        "right_value": pl.Float64,
        "cells": pl.String,  # JSON list of [table, row, column]
        "raw": pl.String,
    }
)

CHECKS_SCHEMA = pl.Schema(
    {
        "report_id": pl.String,
        "identity": pl.String,
        "table_key": pl.String,
        "target": pl.String,
        "status": pl.String,
        "left_value": pl.Float64,
        "right_value": pl.Float64,
        "had_nulls": pl.Boolean,
        "formula": pl.String,
    }
)

QUARANTINE_SCHEMA = pl.Schema(
    {
        "path": pl.String,
        "sha256": pl.String,
        "code": pl.String,
        "reason": pl.String,
        "parser_version": pl.String,
        "batch_id": pl.String,
    }
)

CELL_TABLES: tuple[str, ...] = TABLE_KEYS



@dataclass(frozen=True)
class Quarantined:
    """A file the parser refused, with the reason (ParseError.code and message)."""

    path: str
    sha256: str
    code: str
    reason: str

    @classmethod
    def from_error(cls, path: str | Path, sha256: str, error: BaseException) -> Quarantined:
        if isinstance(error, ParseError):
            return cls(str(path), sha256, error.code, error.message)
        return cls(str(path), sha256, "parser_error", f"{type(error).__name__}: {error}")


@dataclass(frozen=True)
class ReportRows:
    """One report laid out for each dataset, without batch_id: the report row, and the cells, findings and
    checks as columns (one tuple per column, in schema order).

    Built in the parser's worker processes (`report_rows` is a `parse_paths` transform). Columns of
    scalars pickle and unpickle about twice as fast as a tuple per row, and the parent only extends one
    list per column before polars builds the frame (three times faster than from rows).
    """

    report: tuple
    cells: tuple[tuple, ...]
    findings: tuple[tuple, ...]
    checks: tuple[tuple, ...]

    def with_file(self, file: str) -> ReportRows:
        """The same rows, with the report's file name replaced (the manifest's display path)."""
        report = list(self.report)
        report[_FILE] = file
        return ReportRows(tuple(report), self.cells, self.findings, self.checks)


_REPORT_FIELDS = tuple(name for name in REPORTS_SCHEMA if name != "batch_id")
_FILE = _REPORT_FIELDS.index("file")
_PLACED_SCHEMA = pl.Schema({k: v for k, v in CELLS_SCHEMA.items() if k != "value_is_integer"})


def _float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def _columns(rows: list[tuple], schema: pl.Schema) -> tuple[tuple, ...]:
    return tuple(zip(*rows, strict=True)) if rows else ((),) * len(schema)


def report_rows(r: Report) -> ReportRows:
    """Every dataset row of one report; `report_id` is the sha256 of the raw bytes."""
    report = (
        r.sha256, r.file, r.sha256, r.encoding, r.encoding_confidence, r.template, r.report_year,
        r.organization, r.published_on, r.input_format, r.layout,
        json.dumps(r.table_templates, ensure_ascii=False, sort_keys=True), r.parser_version,
        len(r.cells), len(r.findings),
    )
    rid, templates, default = r.sha256, r.table_templates, r.template
    cells = [
        (rid, c.table, templates.get(c.table, default), c.row, c.column, _float(c.value), c.raw, c.unit,
         bool(c.label_inferred), c.line, c.provenance)
        for c in r.cells
    ]
    findings = [
        (rid, f.severity, f.code, f.message, f.table, f.row, f.column, f.line, _float(f.left), _float(f.right),
         None if f.cells is None else json.dumps(f.cells, ensure_ascii=False), f.raw)
        for f in r.findings
    ]
    checks = [
        (rid, k.identity, k.table, k.target, k.status, _float(k.left), _float(k.right), bool(k.had_nulls),
         k.formula)
        for k in r.checks
    ]
    return ReportRows(
        report, _columns(cells, _PLACED_SCHEMA), _columns(findings, FINDINGS_SCHEMA), _columns(checks, CHECKS_SCHEMA)
    )


def _stack(parts: Iterable[tuple[tuple, ...]], schema: pl.Schema) -> pl.DataFrame:
    """One frame from the column tuples of many reports."""
    columns: list[list] = [[] for _ in schema]
    for part in parts:
        for column, values in zip(columns, part, strict=True):
            column.extend(values)
    return pl.DataFrame(dict(zip(schema.names(), columns, strict=True)), schema=schema)


def _rows_frame(rows: list[tuple], schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def reports_frame(reports: Sequence[ReportRows], batch_id: str = "") -> pl.DataFrame:
    """One row per report."""
    frame = _rows_frame([r.report for r in reports], pl.Schema({k: REPORTS_SCHEMA[k] for k in _REPORT_FIELDS}))
    return frame.with_columns(batch_id=pl.lit(batch_id, pl.String)).select(REPORTS_SCHEMA.names())


def cells_frame(reports: Sequence[ReportRows]) -> pl.DataFrame:
    """Every placed cell of every report, long format, with the template of its table."""
    return (
        _stack((r.cells for r in reports), _PLACED_SCHEMA)
        .with_columns(value_is_integer=pl.col("value") == pl.col("value").floor())
        .select(CELLS_SCHEMA.names())
    )


def findings_frame(reports: Sequence[ReportRows]) -> pl.DataFrame:
    return _stack((r.findings for r in reports), FINDINGS_SCHEMA)


def checks_frame(reports: Sequence[ReportRows]) -> pl.DataFrame:
    return _stack((r.checks for r in reports), CHECKS_SCHEMA)


def quarantine_frame(quarantined: Sequence[Quarantined], batch_id: str = "") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "path": [q.path for q in quarantined],
            "sha256": [q.sha256 for q in quarantined],
            "code": [q.code for q in quarantined],
            "reason": [q.reason for q in quarantined],
            "parser_version": [PARSER_VERSION] * len(quarantined),
            "batch_id": [batch_id] * len(quarantined),
        },
        schema=QUARANTINE_SCHEMA,
    )


def frames(
    reports: Sequence[Report | ReportRows], quarantined: Sequence[Quarantined] = (), batch_id: str = ""
) -> dict[str, pl.DataFrame]:
    """All datasets of one batch, keyed like `pipeline.batch_store.DATASETS` (cells split per table)."""
    reports = [r if isinstance(r, ReportRows) else report_rows(r) for r in reports]
    cells = cells_frame(reports)
    by_table = cells.partition_by("table_key", as_dict=True, include_key=True)
    by_table = {table: by_table.get((table,), cells.clear()) for table in CELL_TABLES}
    unknown = cells.filter(~pl.col("table_key").is_in(CELL_TABLES))
    if unknown.height:
        raise ValueError(f"cells of unknown tables: {sorted(set(unknown['table_key']))}")
    return {
        "reports": reports_frame(reports, batch_id),
        **by_table,
        "findings": findings_frame(reports),
        "checks": checks_frame(reports),
        "quarantine": quarantine_frame(quarantined, batch_id),
    }
