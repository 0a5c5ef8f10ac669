"""`pipeline.worker_pool.prefetch`: the parser keeps going while the warehouse writes a batch (issue 7)."""

from __future__ import annotations

import threading
import time

import pytest

from pipeline.worker_pool import parse_paths, prefetch


def test_every_item_arrives_in_order_while_the_consumer_is_slow():
    produced: list[int] = []

    def source():
        for i in range(50):
            produced.append(i)
            yield i

    seen = []
    for item in prefetch(source(), size=10):
        if item == 0:
            time.sleep(0.3)  # the producer runs ahead meanwhile, up to the queue size
            assert 10 <= len(produced) <= 12
        seen.append(item)
    assert seen == list(range(50))


def test_an_error_in_the_source_reaches_the_consumer():
    def source():
        yield 1
        raise ValueError("bad file listing")

    it = prefetch(source(), size=4)
    assert next(it) == 1
    with pytest.raises(ValueError, match="bad file listing"):
        next(it)


def test_stopping_early_closes_the_source_and_its_thread():
    closed = threading.Event()

    def source():
        try:
            yield from range(10_000)
        finally:
            closed.set()

    it = prefetch(source(), size=5)
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    it.close()
    assert closed.wait(5)
    assert not any(t.name == "parse-prefetch" for t in threading.enumerate())


def test_parse_paths_through_prefetch_stops_its_workers(tmp_path):
    for i in range(12):
        (tmp_path / f"{i:02d}.txt").write_text("not a report\n" * 3, encoding="utf-8")
    results = prefetch(parse_paths(sorted(tmp_path.iterdir()), workers=2, timeout=30), size=4)
    first = next(results)
    assert first[0].name == "00.txt" and first[1].code == "not_a_report"
    results.close()
    assert not any(t.name == "parse-prefetch" for t in threading.enumerate())
