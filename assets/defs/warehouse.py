"""Layer `warehouse`: the DuckDB tables and views over the loaded Parquet batches (schema `loaded`).

One asset per table or view (see `assets/lib/tables.py`). The identity checks of spec §7 are reported on the
fact tables they concern, one check per identity, with severity WARN: a report that breaks an
identity is data to look at, never a reason to stop loading the others.
"""

import dagster as dg

from assets.lib.metadata import duckdb_table_metadata, markdown_table
from assets.lib.resources import DataPaths, DuckDBWarehouse
from assets.lib.tables import (
    IDENTITY_FORMULAS,
    TABLES,
    WarehouseTable,
    build_table,
    identity_failures,
    identity_summary,
)

POOL = "duckdb_write"  # one DuckDB writer at a time across runs (see config/dagster.yaml)


def check_name(identity: str) -> str:
    return f"identity_{identity}"


def identity_results(conn, table: WarehouseTable):
    for identity in table.identities:
        summary = identity_summary(conn, identity)
        yield dg.AssetCheckResult(
            check_name=check_name(identity),
            passed=summary["reports_failing"] == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                **summary,
                "formula": IDENTITY_FORMULAS[identity],
                "failures": dg.MetadataValue.md(markdown_table(identity_failures(conn, identity))),
            },
        )


def warehouse_table(table: WarehouseTable) -> dg.AssetsDefinition:
    key = dg.AssetKey(table.name)

    @dg.asset(
        key=key,
        group_name="warehouse",
        kinds={"duckdb"},
        deps=[dg.AssetKey(dep.split("/")) for dep in table.deps],
        description=table.description,
        pool=POOL,
        check_specs=[
            dg.AssetCheckSpec(check_name(i), asset=key, description=f"{i}: {IDENTITY_FORMULAS[i]} (warn only)")
            for i in table.identities
        ],
    )
    def _asset(warehouse: DuckDBWarehouse, paths: DataPaths):
        with warehouse.connect() as conn:
            build_table(conn, table, paths.manifest)
            metadata = duckdb_table_metadata(conn, table.name, warehouse.database, count_rows=not table.view)
            yield dg.MaterializeResult(metadata={**metadata, "materialized": "view" if table.view else "table"})
            yield from identity_results(conn, table)

    return _asset


warehouse_tables = [warehouse_table(t) for t in TABLES]
