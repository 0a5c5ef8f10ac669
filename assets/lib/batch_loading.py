"""What the SQL models read, loaded into DuckDB: the tables of schema `loaded`.

Every complete batch of the Parquet batch store (`pipeline/batch_store.py`) is inserted once into
`loaded.<dataset>`, each row with its `batch_id`; a batch whose files are gone (dropped after a re-parse)
is deleted again. The table
`loaded.batches` records which batches are in, so a run reads only what is new: adding 100 reports to
100,000 inserts one batch instead of rewriting ten million cells. The warehouse's fact, finding and
check relations are views over these tables that keep one parse per report (`dbt_like_sql/warehouse/`).

Beside the batches, the three other inputs of the SQL models (`load_inputs`), so that every model is plain
SQL over tables: `loaded.manifest` (the raw files' manifest, from its Parquet file), `loaded.current_parser`
(the parser version of this code, one row) and `loaded.body_keys` (the body-key rule of
pipeline/bodies.py applied to every organization name loaded: the one place it runs).

Everything happens in one transaction: a run killed while loading leaves the tables as they were, and
the next run loads the same batches again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from assets.lib.duckdb_ops import quote, transaction
from pipeline import PARSER_VERSION
from pipeline import batch_store as store
from pipeline import export as ex
from pipeline.bodies import assign_body_keys, split_body_name

SCHEMA = "loaded"
BOOKKEEPING = f"{SCHEMA}.batches"

_DUCKDB_TYPES = {pl.String: "VARCHAR", pl.Float64: "DOUBLE", pl.Int32: "INTEGER", pl.Int64: "BIGINT",
                 pl.Boolean: "BOOLEAN"}


def table_of(dataset: str) -> str:
    """The DuckDB table mirroring a dataset, e.g. `loaded.applications`."""
    return f'{SCHEMA}."{dataset}"'


def columns_of(dataset: str) -> dict[str, str]:
    """column → DuckDB type of the mirror table: the dataset's schema, with `batch_id` last if it lacks one."""
    schema = store.DATASETS[dataset][1]
    columns = {name: _DUCKDB_TYPES[dtype] for name, dtype in schema.items()}
    columns.setdefault("batch_id", "VARCHAR")
    return columns


@dataclass(frozen=True)
class LoadResult:
    inserted_batches: int
    deleted_batches: int
    rows_inserted: int
    rows_deleted: int
    rebuilt: tuple[str, ...]  # datasets whose table had another shape and was loaded again from scratch

    def as_metadata(self) -> dict[str, int | str]:
        return {**{k: v for k, v in self.__dict__.items() if k != "rebuilt"}, "rebuilt": ", ".join(self.rebuilt)}


def _shape(conn: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, str] | None:
    rows = conn.execute(
        "select column_name, data_type from duckdb_columns() where database_name = current_database() "
        "and schema_name = ? and table_name = ? order by column_index",
        [SCHEMA, dataset],
    ).fetchall()
    return dict(rows) if rows else None


def _ensure_table(conn: duckdb.DuckDBPyConnection, dataset: str) -> bool:
    """Create the mirror table; one of another shape (an older schema) is dropped. True when (re)created."""
    wanted = columns_of(dataset)
    shape = _shape(conn, dataset)
    if shape == wanted:
        return False
    conn.execute(f"drop table if exists {table_of(dataset)}")
    conn.execute(f"delete from {BOOKKEEPING} where dataset = ?", [dataset])
    columns = ", ".join(f'"{name}" {dtype}' for name, dtype in wanted.items())
    conn.execute(f"create table {table_of(dataset)} ({columns})")
    return shape is not None


def _select_files(dataset: str, files: list[Path]) -> str:
    paths = "[" + ", ".join(quote(str(f)) for f in files) + "]"
    names = ", ".join(f'"{name}"' for name in columns_of(dataset) if name != "batch_id")
    if "batch_id" in store.DATASETS[dataset][1]:
        return f"select {names}, batch_id from read_parquet({paths})"
    return f"select {names}, parse_filename(filename, true) as batch_id from read_parquet({paths}, filename = true)"


# The columns no two rows of one batch share: one cell per (report, row, column), one row per report. The
# fact views keep one batch per report (dim_report), so this check on each new batch keeps their keys unique.
UNIQUE_KEYS = {**{table: ("report_id", "row_key", "column_key") for table in ex.CELL_TABLES}, "reports": ("report_id",)}


class LoadError(RuntimeError):
    """A batch cannot be loaded as it is: nothing of this load was committed."""


def _check_unique(conn: duckdb.DuckDBPyConnection, dataset: str, select: str) -> None:
    """Refuse new rows that share their key (`UNIQUE_KEYS`) within a batch.

    Counting distinct 64-bit hashes of the key is several times faster than grouping by the strings; only
    when that finds fewer keys than rows (a duplicate, or a hash collision) is the exact query run.
    """
    key = UNIQUE_KEYS.get(dataset)
    if key is None:
        return
    columns = ", ".join(("batch_id", *key))
    rows, keys = conn.execute(f"select count(*), count(distinct hash({columns})) from ({select})").fetchall()[0]
    if rows == keys:
        return
    duplicated = conn.execute(
        f"select {columns}, count(*) from ({select}) group by all having count(*) > 1 order by all limit 3"
    ).fetchall()
    if duplicated:
        raise LoadError(f"{dataset}: rows share ({columns}), e.g. {duplicated}; the warehouse was left as it was")


def _row_counts(conn: duckdb.DuckDBPyConnection, files: list[Path]) -> dict[str, int]:
    """batch_id → rows, from the Parquet footers (the files are named after their batch)."""
    paths = [str(f) for f in files]
    counts = conn.execute("select file_name, num_rows from parquet_file_metadata(?)", [paths]).fetchall()
    return {Path(name).stem: int(n) for name, n in counts}


def _insert_batches(conn: duckdb.DuckDBPyConnection, parquet_dir: Path) -> LoadResult:
    complete = store.complete_batch_ids(parquet_dir)  # an interrupted run's partial batch is not loaded
    inserted_batches, deleted_batches, rows_in, rows_out, rebuilt = set(), set(), 0, 0, []
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(
        f"create table if not exists {BOOKKEEPING} "
        "(dataset varchar, batch_id varchar, n_rows bigint, loaded_at timestamptz default current_timestamp)"
    )
    for dataset in store.DATASETS:
        if _ensure_table(conn, dataset):
            rebuilt.append(dataset)
        have = {b for (b,) in conn.execute(f"select batch_id from {BOOKKEEPING} where dataset = ?",
                                           [dataset]).fetchall()}
        gone = sorted(have - complete)
        if gone:
            rows_out += conn.execute(
                f"delete from {table_of(dataset)} where batch_id in (select unnest(?::varchar[]))", [gone]
            ).fetchall()[0][0]
            conn.execute(
                f"delete from {BOOKKEEPING} where dataset = ? and batch_id in (select unnest(?::varchar[]))",
                [dataset, gone],
            )
            deleted_batches.update(gone)
        new = sorted(complete - have)
        files = [f for b in new if (f := store.dataset_dir(parquet_dir, dataset) / f"{b}.parquet").exists()]
        counts: dict[str, int] = {}
        if files:
            select = _select_files(dataset, files)
            _check_unique(conn, dataset, select)
            conn.execute(f"insert into {table_of(dataset)} {select}")
            counts = _row_counts(conn, files)
            rows_in += sum(counts.values())
        if new:
            conn.executemany(
                f"insert into {BOOKKEEPING} (dataset, batch_id, n_rows) values (?, ?, ?)",
                [(dataset, b, counts.get(b, 0)) for b in new],
            )
            inserted_batches.update(new)
    return LoadResult(len(inserted_batches), len(deleted_batches), rows_in, rows_out, tuple(rebuilt))


@contextmanager
def _any_insertion_order(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB insert the batches' rows in parallel, in any order (a fifth faster on 2 cores). No model
    reads a `loaded` table's rows in their physical order: every relation is defined by its keys, and the
    equality of whole warehouses built with and without this was checked (docs/performance.md)."""
    (before,) = conn.execute("select current_setting('preserve_insertion_order')").fetchone()
    conn.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        conn.execute(f"set preserve_insertion_order = {'true' if before else 'false'}")


def load_batches(conn: duckdb.DuckDBPyConnection, parquet_dir: Path) -> LoadResult:
    """Bring every `loaded.<dataset>` table up to date with the complete batches on disk, in one transaction."""
    with transaction(conn), _any_insertion_order(conn):
        return _insert_batches(conn, parquet_dir)


MANIFEST = f"{SCHEMA}.manifest"
CURRENT_PARSER = f"{SCHEMA}.current_parser"
BODY_KEYS = f"{SCHEMA}.body_keys"

BODY_KEYS_SCHEMA = {
    "organization": pl.String,
    "normalized_name": pl.String,
    "prefix": pl.String,
    "core": pl.String,
    "body_key": pl.String,
    "ambiguous": pl.Boolean,
}


def body_keys_frame(names: list[str]) -> pl.DataFrame:
    """organization → its parts and body_key (pipeline/bodies.py), one row per name."""
    keys = assign_body_keys(names)
    rows = []
    for name in sorted(keys):
        parts = split_body_name(name)
        rows.append((name, parts.normalized, parts.prefix, parts.core, *keys[name]))
    return pl.DataFrame(rows, schema=BODY_KEYS_SCHEMA, orient="row")


def _load_inputs(conn: duckdb.DuckDBPyConnection, manifest: Path) -> pl.DataFrame:
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(f"create or replace table {MANIFEST} as select * from read_parquet(?)", [str(manifest)])
    conn.execute(f"create or replace table {CURRENT_PARSER} as select ?::varchar as parser_version", [PARSER_VERSION])
    names = conn.execute(
        f"select distinct organization from {table_of('reports')} "
        "where organization is not null and trim(organization) <> ''"
    ).fetchall()
    frame = body_keys_frame([name for (name,) in names])
    conn.register("_body_keys_frame", frame)
    try:
        conn.execute(f"create or replace table {BODY_KEYS} as select * from _body_keys_frame order by organization")
    finally:
        conn.unregister("_body_keys_frame")
    return frame


def load_all(conn: duckdb.DuckDBPyConnection, parquet_dir: Path, manifest: Path) -> tuple[LoadResult, pl.DataFrame]:
    """The new batches, then the manifest, the parser version and the body keys, in one transaction.

    Returns what the batches did and the body keys (for the UI's metadata).
    """
    with transaction(conn), _any_insertion_order(conn):
        result = _insert_batches(conn, parquet_dir)
        return result, _load_inputs(conn, manifest)
