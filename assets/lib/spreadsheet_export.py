"""Every mart of the published warehouse as files a spreadsheet opens: CSV and one Excel workbook.

For researchers who do not write SQL. Excel on a Chinese Windows reads a CSV as the system's code page (GBK)
unless the file starts with a UTF-8 byte order mark, so every CSV starts with one. The workbook has a sheet
per mart, named like the mart, whose header row is the Chinese label of each column from
`dbt_like_sql/docs/columns.csv`, and a first sheet `说明` listing the sheets with their meaning. A mart longer
than an Excel sheet (1,048,576 rows) is in its CSV only; its sheet says so. Files are written to a temporary
name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import xlsxwriter

from assets.lib.column_docs import Doc, load_docs, resolve
from assets.lib.duckdb_ops import RELATIONS, quote

BOM = "\ufeff".encode()
EXCEL_MAX_ROWS = 1_048_576 - 1  # one row is the header
CONTENTS_SHEET = "说明"
WORKBOOK = "warehouse_marts.xlsx"
CSV_DIR = "csv"
MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class Exported:
    mart: str
    rows: int
    csv: Path
    in_workbook: bool


def marts(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts of the warehouse (schema `marts`), by name."""
    rows = conn.execute(
        f"select table_name from {RELATIONS} where schema_name = ? order by table_name", [MARTS_SCHEMA]
    ).fetchall()
    return [name for (name,) in rows]


def chinese_headers(table: str, columns: list[str], docs: dict[tuple[str, str], Doc]) -> list[str]:
    """The Chinese label of each column (the column name where it has none); a label two columns share
    keeps the column name beside it, so every header is unique."""
    labels = [(doc.label_zh if (doc := resolve(docs, table, c)) else c) for c in columns]
    return [f"{label}（{c}）" if labels.count(label) > 1 else label for label, c in zip(labels, columns, strict=True)]


def write_csv_with_bom(conn: duckdb.DuckDBPyConnection, relation: str, path: Path) -> None:
    """The relation as CSV (header: column names), UTF-8 with a BOM, written by DuckDB and renamed into place."""
    body = path.with_name(f".{path.name}.body-tmp")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        conn.execute(f"copy (select * from {relation}) to {quote(str(body))} (format csv, header true)")
        with tmp.open("wb") as out, body.open("rb") as data:
            out.write(BOM)
            shutil.copyfileobj(data, out, 1 << 20)
        os.replace(tmp, path)
    finally:
        body.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)


def _write_contents(book: xlsxwriter.Workbook, rows: list[list[str | int]]) -> None:
    """The first sheet: what each sheet holds."""
    sheet = book.add_worksheet(CONTENTS_SHEET)
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["工作表", "中文名", "说明", "行数", "CSV 文件"], bold)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    for column, width in ((0, 30), (1, 34), (2, 90), (4, 40)):
        sheet.set_column(column, column, width)


def export_marts(database: Path, out_dir: Path) -> list[Exported]:
    """Write every mart of `database` (opened read-only) as `out_dir/csv/<mart>.csv` and a sheet of
    `out_dir/warehouse_marts.xlsx`."""
    docs = load_docs()
    csv_dir = out_dir / CSV_DIR
    csv_dir.mkdir(parents=True, exist_ok=True)
    workbook = out_dir / WORKBOOK
    tmp_book = out_dir / f".{WORKBOOK}.tmp"
    exported: list[Exported] = []
    conn = duckdb.connect(str(database), read_only=True)
    try:
        names = marts(conn)
        counts = {n: conn.execute(f"select count(*) from {MARTS_SCHEMA}.{n}").fetchall()[0][0] for n in names}
        book = xlsxwriter.Workbook(str(tmp_book), {"nan_inf_to_errors": True})
        try:
            contents = []
            for name in names:
                doc = resolve(docs, f"{MARTS_SCHEMA}.{name}", None)
                contents.append([name[:31], doc.label_zh if doc else "", doc.meaning if doc else "", counts[name],
                                 f"{CSV_DIR}/{name}.csv"])
            _write_contents(book, contents)
            for name in names:
                relation = f"{MARTS_SCHEMA}.{name}"
                csv = csv_dir / f"{name}.csv"
                write_csv_with_bom(conn, relation, csv)
                fits = counts[name] <= EXCEL_MAX_ROWS
                if fits:
                    frame = conn.sql(f"select * from {relation}").pl()
                    frame.columns = chinese_headers(relation, frame.columns, docs)
                    frame.write_excel(workbook=book, worksheet=name[:31], autofit=True, freeze_panes=(1, 0),
                                      float_precision=6)
                else:
                    book.add_worksheet(name[:31]).write(
                        0, 0, f"此表有 {counts[name]:,} 行，超过 Excel 工作表的行数上限：请打开 {CSV_DIR}/{csv.name}"
                    )
                exported.append(Exported(name, counts[name], csv, fits))
        finally:
            book.close()
        os.replace(tmp_book, workbook)
    finally:
        conn.close()
        tmp_book.unlink(missing_ok=True)
    return exported
