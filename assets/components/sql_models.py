"""`dbt_like_sql/` as Dagster assets: one asset per SQL file and per seed, all built by one step.

The files and their conventions (which relation a file builds, header lines, dependencies read from the SQL)
are described in `assets/lib/model_files.py`. Every file is an asset of its own (its key, group, description,
code version and lineage), but they are one subsettable multi-asset: a run builds the selected ones on one
DuckDB connection, each after what it reads, so fifty models cost one step's fixed cost, not fifty. A
relation a selected model reads and the run does not build must already be in the warehouse.

Each model is replaced in its own transaction and reports its materialization (row count, schema with the
documented meaning of each column, preview) as soon as it is committed; the identity checks of a model
(`-- identities:`) and its quality checks (keys, one current report per body and year, reports with no cells,
reports per year, new refusals: `assets/lib/warehouse_checks.py`) are reported right after it.
"""


import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from assets.lib.duckdb_ops import POOL, RELATIONS, replace_relation, transaction
from assets.lib.identity_check_results import IdentityChecks, check_name, check_specs
from assets.lib.incremental import KINDS as INCREMENTAL_KINDS
from assets.lib.incremental import build_incremental
from assets.lib.model_files import Model, incremental_rows_version, read_models, relation_of
from assets.lib.storage import DuckDBWarehouse
from assets.lib.ui_metadata import duckdb_table_metadata
from assets.lib.warehouse_checks import check_results as quality_results
from assets.lib.warehouse_checks import check_specs as quality_specs

STEP = "sql_models"


def asset_key(model: Model) -> dg.AssetKey:
    return dg.AssetKey(list(model.key))


def spec_of(model: Model) -> dg.AssetSpec:
    return dg.AssetSpec(
        asset_key(model),
        deps=[dg.AssetKey(list(dep)) for dep in model.deps],
        group_name=model.group,
        kinds={"duckdb", "csv" if model.kind == "seed" else "sql"},
        code_version=model.code_version,
        description=model.description,
        metadata={"sql_file": model.file},
    )


def existing_relations(conn: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = conn.execute(
        f"select schema_name, table_name from {RELATIONS} where database_name = current_database()"
    ).fetchall()
    return set(rows)


def build_model(conn: duckdb.DuckDBPyConnection, model: Model, database: str, version: str) -> dict:
    """Replace the model's relation (in one transaction) and return its materialization's metadata."""
    start = time.perf_counter()
    with transaction(conn):
        conn.execute(f"create schema if not exists {model.schema}")
        if model.kind in INCREMENTAL_KINDS:
            extra = build_incremental(conn, model.schema, model.name, model.select, version,
                                      model.changes_with, model.kind).as_metadata()
        else:
            replace_relation(conn, model.schema, model.name, "view" if model.kind == "view" else "table",
                             model.select)
            extra = {}
    built = time.perf_counter()
    metadata = duckdb_table_metadata(conn, model.relation, database, count_rows=model.kind != "view")
    seconds = {"build_seconds": round(built - start, 3), "metadata_seconds": round(time.perf_counter() - built, 3)}
    return {**metadata, **extra, "materialized": model.kind, **seconds}


def sql_models_asset(models: tuple[Model, ...], pool: str = POOL) -> dg.AssetsDefinition:
    """One multi-asset for every model, building the selected ones in dependency order."""
    versions = {m.key: incremental_rows_version(models, m) for m in models if m.kind in INCREMENTAL_KINDS}

    @dg.multi_asset(
        name=STEP,
        specs=[spec_of(m) for m in models],
        check_specs=[
            *(spec for m in models for spec in check_specs(asset_key(m), m.identities)),
            *(spec for m in models for spec in quality_specs(asset_key(m), m)),
        ],
        can_subset=True,
        pool=pool,
    )
    def sql_models(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse) -> Iterator:
        """Build the selected SQL models and seeds on one connection, each after what it reads."""
        selected = context.selected_asset_keys
        checks = set(context.selected_asset_check_keys)
        with warehouse.connect() as conn:
            present = existing_relations(conn)
            identity_checks = IdentityChecks(conn, [i for m in models for i in m.identities
                                                    if dg.AssetCheckKey(asset_key(m), check_name(i)) in checks])
            for model in models:
                key = asset_key(model)
                if key in selected:
                    missing = [relation_of(dep) for dep in model.deps if relation_of(dep) not in present]
                    if missing:
                        names = ", ".join(f"{schema}.{name}" for schema, name in missing)
                        raise dg.Failure(f"{model.relation} reads {names}, not in the warehouse: materialize it too")
                    metadata = build_model(conn, model, str(warehouse.build_path), versions.get(model.key, ""))
                    present.add((model.schema, model.name))
                    yield dg.MaterializeResult(asset_key=key, metadata=metadata)
                yield from identity_checks.results(key, model.identities, checks)
                yield from quality_results(conn, key, model, checks, warehouse.published_path)

    return sql_models


class SqlModels(dg.Component, dg.Model, dg.Resolvable):
    """Builds `dbt_like_sql/` into the DuckDB warehouse as one subsettable step."""

    sql_dir: str
    pool: str = POOL

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        return dg.Definitions(assets=[sql_models_asset(read_models(Path(self.sql_dir)), self.pool)])
