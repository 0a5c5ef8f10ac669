"""Layer `analyst`: the marts as spreadsheets for researchers who do not write SQL (`make export`).

`export/spreadsheets` runs after the publish step and reads the published warehouse read-only, so the files
match what analysts query; it is not a dependency of the publish step (a spreadsheet open in another program
never keeps the warehouse from being published). Files: `export/` beside the warehouse file
(`data/warehouse/export/`, env `EXPORT_DIR` overrides), written by `assets/lib/spreadsheet_export.py`.
"""


import os
from pathlib import Path

import dagster as dg
import polars as pl

from assets.defs.publish import PUBLISH_KEY
from assets.lib.spreadsheet_export import CSV_DIR, WORKBOOK, export_marts
from assets.lib.storage import DuckDBWarehouse, env_path
from assets.lib.ui_metadata import frame_metadata

EXPORT_KEY = dg.AssetKey(["export", "spreadsheets"])


def export_dir(warehouse: DuckDBWarehouse) -> Path:
    """env EXPORT_DIR, else `export/` beside the published warehouse file (data/warehouse/export)."""
    if os.environ.get("EXPORT_DIR"):
        return Path(env_path("EXPORT_DIR", ""))
    return warehouse.published_path.parent / "export"


@dg.asset(
    key=EXPORT_KEY,
    group_name="analyst",
    kinds={"csv", "excel"},
    deps=[PUBLISH_KEY],
    description=(
        "Every mart of the published warehouse as CSV (UTF-8 with BOM: Excel on a Chinese Windows opens it "
        f"correctly) in data/warehouse/export/{CSV_DIR}/, and one workbook data/warehouse/export/{WORKBOOK} "
        "with a sheet per mart whose headers are the Chinese column labels of dbt_like_sql/docs/columns.csv."
    ),
)
def spreadsheets(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
    out = export_dir(warehouse)
    exported = export_marts(warehouse.published_path, out)
    context.log.info(f"exported {len(exported)} marts to {out}")
    files = pl.DataFrame(
        {
            "mart": [e.mart for e in exported],
            "rows": [e.rows for e in exported],
            "csv": [str(e.csv.relative_to(out)) for e in exported],
            "in_workbook": [e.in_workbook for e in exported],
        },
        schema={"mart": pl.String, "rows": pl.Int64, "csv": pl.String, "in_workbook": pl.Boolean},
    )
    return dg.MaterializeResult(
        metadata={
            **frame_metadata(files),
            "workbook": dg.MetadataValue.path(str(out / WORKBOOK)),
            "csv_dir": dg.MetadataValue.path(str(out / CSV_DIR)),
        }
    )
