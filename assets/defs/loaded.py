"""Layer `loaded`: what the SQL models read, loaded into DuckDB tables (schema `loaded`), one new batch at a time.

One step inserts the Parquet batches the warehouse has not seen and deletes the ones a re-parse dropped
(`assets/lib/batch_loading.py`), so its cost follows what is new, not the size of the warehouse. It also
loads the manifest, the parser version and the body keys (the one place the body-key rule of
pipeline/bodies.py runs), so that every relation built from these is plain SQL (`dbt_like_sql/`). Each table
is its own asset (`loaded/<name>`), downstream of what it is loaded from.
"""

import dagster as dg

from assets.defs.parsed import dataset_key
from assets.lib.batch_loading import BODY_KEYS, BOOKKEEPING, CURRENT_PARSER, MANIFEST, SCHEMA, load_all, table_of
from assets.lib.duckdb_ops import POOL
from assets.lib.storage import DataPaths, DuckDBWarehouse
from assets.lib.ui_metadata import duckdb_table_metadata
from pipeline import PARSER_VERSION
from pipeline import batch_store as store

BATCHES_KEY = dg.AssetKey([SCHEMA, "batches"])
MANIFEST_KEY = dg.AssetKey([SCHEMA, "manifest"])
CURRENT_PARSER_KEY = dg.AssetKey([SCHEMA, "current_parser"])
BODY_KEYS_KEY = dg.AssetKey([SCHEMA, "body_keys"])


def loaded_key(dataset: str) -> dg.AssetKey:
    return dg.AssetKey([SCHEMA, dataset])


@dg.multi_asset(
    name="loaded_batches",
    specs=[
        *(
            dg.AssetSpec(
                loaded_key(dataset),
                group_name=SCHEMA,
                kinds={"duckdb"},
                deps=[dataset_key(dataset)],
                description=f"Every row of every complete Parquet batch of `{dataset}`, with its batch_id "
                f"(DuckDB table `{table_of(dataset)}`); loaded incrementally, one parse per report is chosen "
                "downstream (dim_report).",
            )
            for dataset in store.DATASETS
        ),
        dg.AssetSpec(
            BATCHES_KEY,
            group_name=SCHEMA,
            kinds={"duckdb"},
            deps=[dataset_key(dataset) for dataset in store.DATASETS],
            description=f"Which Parquet batch of which dataset is loaded (`{BOOKKEEPING}`), with its row count.",
        ),
        dg.AssetSpec(
            MANIFEST_KEY,
            group_name=SCHEMA,
            kinds={"duckdb"},
            deps=[dg.AssetKey(["raw", "report_files"])],
            description=f"The manifest of the landed files (`{MANIFEST}`): a copy of raw/report_files' Parquet file.",
        ),
        dg.AssetSpec(
            CURRENT_PARSER_KEY,
            group_name=SCHEMA,
            kinds={"duckdb"},
            code_version=PARSER_VERSION,
            description=f"The parser version of this code (`{CURRENT_PARSER}`, one row): dim_report prefers "
            "a report's parse by this version.",
        ),
        dg.AssetSpec(
            BODY_KEYS_KEY,
            group_name=SCHEMA,
            kinds={"duckdb"},
            deps=[loaded_key("reports")],
            description=f"Every organization name loaded, with its `body_key` (`{BODY_KEYS}`): the rule of "
            "pipeline/bodies.py, run once over all names, used by dim_report and dim_body_name.",
        ),
    ],
    pool=POOL,
)
def loaded_batches(context: dg.AssetExecutionContext, paths: DataPaths, warehouse: DuckDBWarehouse):
    """Insert the new complete batches of every dataset, delete the batches that are gone, load the inputs."""
    with warehouse.connect() as conn:
        result, body_keys = load_all(conn, paths.parquet, paths.manifest)
        rows = dict(conn.execute(f"select dataset, sum(n_rows)::bigint from {BOOKKEEPING} group by dataset").fetchall())
        metadata = {  # rows from the bookkeeping: counting ten million rows again would cost seconds
            loaded_key(dataset): {
                **duckdb_table_metadata(conn, table_of(dataset), str(warehouse.build_path), count_rows=False),
                "dagster/row_count": dg.MetadataValue.int(int(rows.get(dataset, 0))),
            }
            for dataset in store.DATASETS
        }
        metadata[BATCHES_KEY] = {**duckdb_table_metadata(conn, BOOKKEEPING, str(warehouse.build_path)),
                                 **result.as_metadata()}
        metadata[MANIFEST_KEY] = duckdb_table_metadata(conn, MANIFEST, str(warehouse.build_path))
        metadata[CURRENT_PARSER_KEY] = duckdb_table_metadata(conn, CURRENT_PARSER, str(warehouse.build_path))
        metadata[BODY_KEYS_KEY] = {
            **duckdb_table_metadata(conn, BODY_KEYS, str(warehouse.build_path)),
            "bodies": body_keys["body_key"].n_unique(),
            "ambiguous_names": int(body_keys["ambiguous"].sum()),
        }
    context.log.info(f"loaded {result.inserted_batches} new Parquet batches ({result.rows_inserted:,} rows), "
                     f"dropped {result.deleted_batches} replaced ones ({result.rows_deleted:,} rows)")
    for key, values in metadata.items():
        yield dg.MaterializeResult(asset_key=key, metadata=values)
