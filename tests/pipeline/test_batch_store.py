"""The Parquet batch store (pipeline/batch_store.py): batches written, read, dropped, and interrupted ones removed."""

from __future__ import annotations

from pipeline import batch_store as store
from pipeline import export as ex
from tests.support.reports import make_report


def test_write_batch_then_read_and_drop(tmp_path):
    store.ensure_datasets(tmp_path)
    assert store.read_dataset(tmp_path, "reports").collect().height == 0
    store.write_batch(ex.frames([make_report()], [], "b1"), tmp_path, "b1")
    store.write_batch(ex.frames([make_report("c" * 64)], [], "b2"), tmp_path, "b2")

    state = store.parsed_state(tmp_path)
    assert sorted(state["batch_id"].to_list()) == ["b1", "b2"]
    assert store.read_dataset(tmp_path, "art20_8").collect().height == 2

    store.drop_batches(tmp_path, ["b1"])
    assert store.parsed_state(tmp_path)["batch_id"].to_list() == ["b2"]
    assert store.batch_ids_on_disk(tmp_path) == {"b2"}


def test_an_interrupted_batch_is_dropped(tmp_path):
    batch = ex.frames([make_report()], [], "b1")
    store.write_parquet_atomic(batch["applications"], store.dataset_dir(tmp_path, "applications") / "b1.parquet")
    assert store.drop_incomplete_batches(tmp_path) == 1
    assert store.batch_ids_on_disk(tmp_path) == set()
