"""Layer `loaded`: the Parquet datasets mirrored into DuckDB tables, one new batch at a time.

One step inserts the batches the warehouse has not seen and deletes the ones a re-parse dropped
(`assets/lib/loaded.py`), so its cost follows what is new, not the size of the warehouse. Each mirror
table is its own asset (`loaded/<dataset>`), downstream of its Parquet dataset.
"""

import dagster as dg

from assets.defs.parsed import dataset_key
from assets.lib.loaded import BOOKKEEPING, SCHEMA, load_batches, table_of
from assets.lib.metadata import duckdb_table_metadata
from assets.lib.resources import DataPaths, DuckDBWarehouse
from pipeline import export as ex

POOL = "duckdb_write"  # one DuckDB writer at a time across runs (see config/dagster.yaml)
BATCHES_KEY = dg.AssetKey([SCHEMA, "batches"])


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
            for dataset in ex.DATASETS
        ),
        dg.AssetSpec(
            BATCHES_KEY,
            group_name=SCHEMA,
            kinds={"duckdb"},
            deps=[dataset_key(dataset) for dataset in ex.DATASETS],
            description=f"Which Parquet batch of which dataset is loaded (`{BOOKKEEPING}`), with its row count.",
        ),
    ],
    pool=POOL,
)
def loaded_batches(context: dg.AssetExecutionContext, paths: DataPaths, warehouse: DuckDBWarehouse):
    """Insert the new complete batches of every dataset, delete the batches that are gone."""
    with warehouse.connect() as conn:
        result = load_batches(conn, paths.parquet)
        rows = dict(conn.execute(f"select dataset, sum(n_rows)::bigint from {BOOKKEEPING} group by dataset").fetchall())
        metadata = {  # rows from the bookkeeping: counting ten million rows again would cost seconds
            dataset: {
                **duckdb_table_metadata(conn, table_of(dataset), warehouse.database, count_rows=False),
                "dagster/row_count": dg.MetadataValue.int(int(rows.get(dataset, 0))),
            }
            for dataset in ex.DATASETS
        }
        batches = duckdb_table_metadata(conn, BOOKKEEPING, warehouse.database)
    context.log.info(f"loaded: {result}")
    for dataset in ex.DATASETS:
        yield dg.MaterializeResult(asset_key=loaded_key(dataset), metadata=metadata[dataset])
    yield dg.MaterializeResult(asset_key=BATCHES_KEY, metadata={**batches, **result.as_metadata()})
