"""Reports → columnar frames → Parquet datasets: the boundary between the parser and the warehouse.

Pure library code (no Dagster). Python walks one report at a time only to lay its cells out as
columns; from the returned frames onward everything is polars and DuckDB.

Layout under a Parquet root (one dataset = one folder, one file per parse batch)::

    reports/<batch>.parquet             one row per report (report_id = sha256 of the raw bytes)
    cells/<table>/<batch>.parquet       one dataset per extracted table, long format
    findings/<batch>.parquet            every finding of every report
    checks/<batch>.parquet              every identity evaluation (spec §7)
    quarantine/<batch>.parquet          files that are not usable reports (ParseError)

`reports` and then `quarantine` are written last: a batch without its quarantine file is incomplete
(an interrupted run) and is removed by `drop_incomplete_batches`.
"""

from __future__ import annotations

import json
import os
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

# dataset name → (folder relative to the Parquet root, schema)
DATASETS: dict[str, tuple[str, pl.Schema]] = {
    "reports": ("reports", REPORTS_SCHEMA),
    **{table: (f"cells/{table}", CELLS_SCHEMA) for table in CELL_TABLES},
    "findings": ("findings", FINDINGS_SCHEMA),
    "checks": ("checks", CHECKS_SCHEMA),
    "quarantine": ("quarantine", QUARANTINE_SCHEMA),
}
COMMIT_DATASETS = ("reports", "quarantine")  # written last; their batch ids mark complete batches
EMPTY_FILE = "empty.parquet"  # a zero-row file so every dataset can be globbed before the first batch


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


def _frame(columns: dict[str, list], schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=schema)


def _columns(schema: pl.Schema) -> dict[str, list]:
    return {name: [] for name in schema}


def reports_frame(reports: Sequence[Report], batch_id: str = "") -> pl.DataFrame:
    """One row per report; `report_id` is the sha256 of the raw bytes."""
    cols = _columns(REPORTS_SCHEMA)
    for r in reports:
        row = {
            "report_id": r.sha256,
            "file": r.file,
            "sha256": r.sha256,
            "encoding": r.encoding,
            "encoding_confidence": r.encoding_confidence,
            "template": r.template,
            "report_year": r.report_year,
            "organization": r.organization,
            "published_on": r.published_on,
            "input_format": r.input_format,
            "layout": r.layout,
            "table_templates": json.dumps(r.table_templates, ensure_ascii=False, sort_keys=True),
            "parser_version": r.parser_version,
            "n_cells": len(r.cells),
            "n_findings": len(r.findings),
            "batch_id": batch_id,
        }
        for name, value in row.items():
            cols[name].append(value)
    return _frame(cols, REPORTS_SCHEMA)


def cells_frame(reports: Sequence[Report]) -> pl.DataFrame:
    """Every placed cell of every report, long format, with the template of its table."""
    placed = pl.Schema({k: v for k, v in CELLS_SCHEMA.items() if k != "value_is_integer"})
    cols = _columns(placed)
    for r in reports:
        for c in r.cells:
            cols["report_id"].append(r.sha256)
            cols["table_key"].append(c.table)
            cols["template"].append(r.table_templates.get(c.table, r.template))
            cols["row_key"].append(c.row)
            cols["column_key"].append(c.column)
            cols["value"].append(None if c.value is None else float(c.value))
            cols["raw"].append(c.raw)
            cols["unit"].append(c.unit)
            cols["label_inferred"].append(bool(c.label_inferred))
            cols["line"].append(c.line)
            cols["provenance"].append(c.provenance)
    return (
        _frame(cols, placed)
        .with_columns(value_is_integer=pl.col("value") == pl.col("value").floor())
        .select(CELLS_SCHEMA.names())
    )


def findings_frame(reports: Sequence[Report]) -> pl.DataFrame:
    cols = _columns(FINDINGS_SCHEMA)
    for r in reports:
        for f in r.findings:
            cols["report_id"].append(r.sha256)
            cols["severity"].append(f.severity)
            cols["code"].append(f.code)
            cols["message"].append(f.message)
            cols["table_key"].append(f.table)
            cols["row_key"].append(f.row)
            cols["column_key"].append(f.column)
            cols["line"].append(f.line)
            cols["left_value"].append(None if f.left is None else float(f.left))
            cols["right_value"].append(None if f.right is None else float(f.right))
            cols["cells"].append(None if f.cells is None else json.dumps(f.cells, ensure_ascii=False))
            cols["raw"].append(f.raw)
    return _frame(cols, FINDINGS_SCHEMA)


def checks_frame(reports: Sequence[Report]) -> pl.DataFrame:
    cols = _columns(CHECKS_SCHEMA)
    for r in reports:
        for k in r.checks:
            cols["report_id"].append(r.sha256)
            cols["identity"].append(k.identity)
            cols["table_key"].append(k.table)
            cols["target"].append(k.target)
            cols["status"].append(k.status)
            cols["left_value"].append(None if k.left is None else float(k.left))
            cols["right_value"].append(None if k.right is None else float(k.right))
            cols["had_nulls"].append(bool(k.had_nulls))
            cols["formula"].append(k.formula)
    return _frame(cols, CHECKS_SCHEMA)


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
    reports: Sequence[Report], quarantined: Sequence[Quarantined] = (), batch_id: str = ""
) -> dict[str, pl.DataFrame]:
    """All datasets of one batch, keyed like `DATASETS` (cells split per table)."""
    cells = cells_frame(reports)
    by_table = {table: cells.filter(pl.col("table_key") == table) for table in CELL_TABLES}
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


# ---------------------------------------------------------------------------------------------
# Parquet datasets on disk
# ---------------------------------------------------------------------------------------------


def dataset_dir(root: Path, dataset: str) -> Path:
    return Path(root) / DATASETS[dataset][0]


def dataset_glob(root: Path, dataset: str) -> str:
    """The glob DuckDB's `read_parquet` (and polars' `scan_parquet`) reads a dataset with."""
    return str(dataset_dir(root, dataset) / "*.parquet")


def write_parquet_atomic(df: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    df.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)


def write_batch(batch: dict[str, pl.DataFrame], root: Path, batch_id: str) -> None:
    """Write one batch: one file per dataset, even when empty; the commit datasets last."""
    order = [d for d in DATASETS if d not in COMMIT_DATASETS] + list(COMMIT_DATASETS)
    for dataset in order:
        df = batch[dataset].select(DATASETS[dataset][1].names())
        write_parquet_atomic(df, dataset_dir(root, dataset) / f"{batch_id}.parquet")


def ensure_datasets(root: Path) -> None:
    """Give every dataset at least one (empty) file, so readers can glob it before any batch."""
    for dataset, (_, schema) in DATASETS.items():
        folder = dataset_dir(root, dataset)
        if not any(folder.glob("*.parquet")):
            write_parquet_atomic(pl.DataFrame(schema=schema), folder / EMPTY_FILE)


def read_dataset(root: Path, dataset: str) -> pl.LazyFrame:
    """The whole dataset as a LazyFrame (empty, with the schema, when nothing is written yet)."""
    schema = DATASETS[dataset][1]
    files = sorted(dataset_dir(root, dataset).glob("*.parquet"))
    if not files:
        return pl.LazyFrame(schema=schema)
    return pl.scan_parquet(files, schema=schema)


def parsed_state(root: Path) -> pl.DataFrame:
    """What is already parsed: sha256, batch_id, parser_version of every report and quarantined file."""
    reports = read_dataset(root, "reports").select(pl.col("sha256"), pl.col("batch_id"), pl.col("parser_version"))
    quarantine = read_dataset(root, "quarantine").select(pl.col("sha256"), pl.col("batch_id"), pl.col("parser_version"))
    return pl.concat([reports, quarantine]).collect()


def batch_ids_on_disk(root: Path) -> set[str]:
    ids = set()
    for dataset in DATASETS:
        ids |= {p.stem for p in dataset_dir(root, dataset).glob("*.parquet")}
    return ids - {Path(EMPTY_FILE).stem}


def drop_batches(root: Path, batch_ids: Iterable[str]) -> int:
    """Delete every file of the given batches from every dataset; returns the number of files."""
    removed = 0
    for batch_id in set(batch_ids):
        for dataset in DATASETS:
            path = dataset_dir(root, dataset) / f"{batch_id}.parquet"
            if path.exists():
                path.unlink()
                removed += 1
    return removed


def drop_incomplete_batches(root: Path) -> int:
    """Remove batches an interrupted run left behind: a batch is complete once its last file is written."""
    last = COMMIT_DATASETS[-1]
    complete = {p.stem for p in dataset_dir(root, last).glob("*.parquet")}
    return drop_batches(root, batch_ids_on_disk(root) - complete)
