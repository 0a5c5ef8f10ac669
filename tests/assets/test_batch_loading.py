"""The `loaded` tables: Parquet batches mirrored into a real DuckDB file, one batch at a time.

The batches are real: the sample reports parsed by `parse_pending` into Parquet, then changed the way
runs change them (a new batch, a batch dropped by a re-parse, a killed run's half batch, a parse of a
content twice).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.lib.batch_loading import (
    BODY_KEYS,
    BOOKKEEPING,
    CURRENT_PARSER,
    MANIFEST,
    LoadError,
    load_all,
    load_batches,
    table_of,
)
from assets.lib.batch_parsing import parse_pending
from assets.lib.manifest import scan
from pipeline import PARSER_VERSION
from pipeline import batch_store as store
from pipeline.bodies import assign_body_keys
from tests.support.warehouse_support import SAMPLE_FILES, SAMPLES


def parse_into(raw: Path, parquet: Path, **kwargs) -> None:
    manifest = scan(raw).manifest
    parse_pending(manifest, raw, parquet, workers=1, **kwargs)


def counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {d: conn.execute(f"select count(*) from {table_of(d)}").fetchall()[0][0] for d in store.DATASETS}


def parquet_counts(parquet: Path) -> dict[str, int]:
    return {d: store.read_dataset(parquet, d).select(pl.len()).collect().item() for d in store.DATASETS}


@pytest.fixture
def setup(tmp_path):
    raw, parquet = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    for name in SAMPLE_FILES[:3]:
        shutil.copy(SAMPLES / name, raw / name)
    parse_into(raw, parquet, batch_size=2)  # three reports: two batches
    conn = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield raw, parquet, conn
    conn.close()


def test_every_row_of_every_batch_is_loaded_once(setup):
    _, parquet, conn = setup
    first = load_batches(conn, parquet)
    assert (first.inserted_batches, first.deleted_batches) == (2, 0)
    assert counts(conn) == parquet_counts(parquet)
    assert counts(conn)["applications"] > 100
    again = load_batches(conn, parquet)
    assert (again.inserted_batches, again.deleted_batches, again.rows_inserted) == (0, 0, 0)
    assert counts(conn) == parquet_counts(parquet)
    # cells carry the batch they were read from
    batches = {p.stem for p in (parquet / "reports").glob("*.parquet")} - {"empty"}
    loaded = {b for (b,) in conn.execute(f"select distinct batch_id from {table_of('art20_6')}").fetchall()}
    assert loaded == batches


def test_a_new_batch_costs_only_itself(setup):
    raw, parquet, conn = setup
    load_batches(conn, parquet)
    before = counts(conn)
    shutil.copy(SAMPLES / SAMPLE_FILES[3], raw / SAMPLE_FILES[3])
    parse_into(raw, parquet)
    result = load_batches(conn, parquet)
    assert (result.inserted_batches, result.deleted_batches) == (1, 0)
    after = counts(conn)
    assert result.rows_inserted == sum(after.values()) - sum(before.values()) > 0
    assert after == parquet_counts(parquet)


def test_batches_dropped_by_a_reparse_are_deleted(setup):
    raw, parquet, conn = setup
    load_batches(conn, parquet)
    parse_into(raw, parquet, force=True)  # every content again, in one new batch; the old two are dropped
    result = load_batches(conn, parquet)
    assert (result.inserted_batches, result.deleted_batches) == (1, 2)
    assert counts(conn) == parquet_counts(parquet)
    assert conn.execute(f"select count(distinct batch_id) from {BOOKKEEPING}").fetchall() == [(1,)]


def test_a_half_written_batch_is_not_loaded(setup):
    _, parquet, conn = setup
    half = sorted((parquet / "quarantine").glob("2*.parquet"))[-1]
    half.unlink()  # a run killed before the batch's last file
    result = load_batches(conn, parquet)
    assert result.inserted_batches == 1
    assert conn.execute(f"select count(*) from {table_of('reports')} where batch_id = ?", [half.stem]).fetchall() == [
        (0,)
    ]


def test_a_batch_holding_a_cell_twice_is_refused_and_nothing_changes(setup):
    _, parquet, conn = setup
    load_batches(conn, parquet)
    before = counts(conn)
    batch = sorted((parquet / "reports").glob("2*.parquet"))[0].stem
    cells = pl.read_parquet(parquet / "cells" / "art20_6" / f"{batch}.parquet")
    frames = {d: pl.read_parquet(store.dataset_dir(parquet, d) / f"{batch}.parquet") for d in store.DATASETS}
    frames["art20_6"] = pl.concat([cells, cells.head(1)])
    broken = "29990101T000000000000-00000"
    frames["reports"] = frames["reports"].with_columns(batch_id=pl.lit(broken))
    frames["quarantine"] = frames["quarantine"].with_columns(batch_id=pl.lit(broken))
    store.write_batch(frames, parquet, broken)
    with pytest.raises(LoadError, match="art20_6: rows share"):
        load_batches(conn, parquet)
    assert counts(conn) == before
    assert conn.execute(f"select count(*) from {BOOKKEEPING} where batch_id = ?", [broken]).fetchall() == [(0,)]


def test_a_table_of_an_older_shape_is_loaded_again(setup):
    _, parquet, conn = setup
    load_batches(conn, parquet)
    conn.execute(f"alter table {table_of('findings')} drop column raw")
    result = load_batches(conn, parquet)
    assert result.rebuilt == ("findings",)
    assert counts(conn) == parquet_counts(parquet)


def test_a_content_in_two_dropped_batches_is_carried_once(tmp_path):
    raw, parquet = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    shutil.copy(SAMPLES / SAMPLE_FILES[0], raw / SAMPLE_FILES[0])
    parse_into(raw, parquet)
    (first,) = [p.stem for p in (parquet / "reports").glob("2*.parquet")]
    frames = {d: pl.read_parquet(store.dataset_dir(parquet, d) / f"{first}.parquet") for d in store.DATASETS}
    second = "29990101T000000000000-00001"  # the same content parsed again (a run killed before the drop)
    store.write_batch({d: f.with_columns(batch_id=pl.lit(second)) if "batch_id" in f.columns else f
                       for d, f in frames.items()}, parquet, second)
    sha = frames["reports"]["report_id"][0]
    carried = store.carry_over(parquet, {first, second}, {sha}, "29990101T000000000000-00002")
    assert carried == 1
    out = {d: pl.read_parquet(store.dataset_dir(parquet, d) / "29990101T000000000000-00002.parquet")
           for d in store.DATASETS}
    assert out["reports"].height == 1
    assert out["applications"].height == frames["applications"].height > 0
    assert out["reports"]["batch_id"].to_list() == ["29990101T000000000000-00002"]


def test_the_inputs_of_the_sql_models_are_loaded_with_the_batches(setup, tmp_path):
    raw, parquet, conn = setup
    manifest = tmp_path / "manifest.parquet"
    scan(raw).manifest.write_parquet(manifest)
    result, keys = load_all(conn, parquet, manifest)
    assert result.inserted_batches == 2
    assert conn.execute(f"select count(*) from {MANIFEST}").fetchall() == [(pl.read_parquet(manifest).height,)]
    assert conn.execute(f"select * from {CURRENT_PARSER}").fetchall() == [(PARSER_VERSION,)]
    names = [n for (n,) in conn.execute(f"select distinct organization from {table_of('reports')}").fetchall() if n]
    rows = conn.execute(f"select organization, body_key, ambiguous from {BODY_KEYS}").fetchall()
    loaded = {name: (key, ambiguous) for name, key, ambiguous in rows}
    assert loaded == assign_body_keys(names)  # the rule of pipeline/bodies.py, once, over every name loaded
    assert keys.height == len(names)


def test_body_keys_cover_the_names_of_every_loaded_parse(setup, tmp_path):
    """A name only an older parse still holds gets its key from the same computation as every other name."""
    raw, parquet, conn = setup
    manifest = tmp_path / "manifest.parquet"
    scan(raw).manifest.write_parquet(manifest)
    load_all(conn, parquet, manifest)
    conn.execute(f"insert into {table_of('reports')} (report_id, organization, batch_id) "
                 "values ('older-parse', '湘乡市泉塘镇人民政府', '19990101T000000000000-00000')")
    load_all(conn, parquet, manifest)
    names = [n for (n,) in conn.execute(f"select distinct organization from {table_of('reports')}").fetchall() if n]
    loaded = dict(conn.execute(f"select organization, body_key from {BODY_KEYS}").fetchall())
    assert loaded == {name: key for name, (key, _) in assign_body_keys(names).items()}
    assert loaded["湘乡市泉塘镇人民政府"] == loaded["泉塘镇"]  # the older parse's name joins the same body
