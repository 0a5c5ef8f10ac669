"""Bad input everywhere (issue 4, point 7), the ingestion's share: 40 mutated files with odd names (spaces, quotes,
CJK, a newline, GBK bytes that are not UTF-8, a leading dash, no extension) land in a published warehouse; one run
later every file is either parsed or quarantined with a reason, and nothing that was in the warehouse is lost.
The parser on mutated reports is tests/pipeline/test_parse_fuzzed.py; the batch runner's time limit and dying
workers, tests/pipeline/test_worker_pool.py.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from tests.support.mutations import SEED_BYTES, WRONG_CODECS, mutate
from tests.support.nightly_support import Warehouse, asset_metadata

# Runs the asset graph on a temporary warehouse.
pytestmark = pytest.mark.integration

# ------------------------------------------------------------------------------------------------
# ingestion of mutated files with odd names into a published warehouse
# ------------------------------------------------------------------------------------------------

ODD_NAMES = [
    "with space.txt",
    "quote ' and \" both.txt",
    "报告 2024（修订版）.txt",
    "-leading-dash.txt",
    "semi;colon & amp $HOME.txt",
    "tab\there.txt",
    "new\nline.txt",
    "back\\slash.txt",
    "emoji 😀.txt",
    "no_extension",
    "x" * 200 + ".txt",
    "深/层/目录/文件.txt",
]
GBK_NAME = "报告-gbk.txt".encode("gbk")  # not valid UTF-8 on disk


def fuzz_files(n: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    kinds = ["truncate", "flip", "shuffle", "reencode", "giant_line", "garbage"]
    files = []
    for i in range(n):
        op = kinds[i % len(kinds)]
        args = {
            "truncate": (rng.random(), None),
            "flip": (None, [rng.randrange(10**6) for _ in range(rng.randint(1, 30))]),
            "shuffle": (None, None),
            "reencode": (None, rng.choice(WRONG_CODECS)),
            "giant_line": (rng.random(), rng.randint(10_000, 300_000)),
            "garbage": (rng.random(), rng.randbytes(rng.randint(1, 3000))),
        }[op]
        files.append(mutate(SEED_BYTES[i % len(SEED_BYTES)], [(op, *args)], rng.randrange(100)))
    return files


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    wh = Warehouse(tmp_path_factory.mktemp("fuzz"))
    wh.land_samples()
    assert wh.run().success
    before = {
        "reports": dict(wh.query("select report_id, n_cells from dim_report")),
        "cells": wh.one("select count(*) from fact_penalties"),
        "files": wh.query("select path, sha256 from file_manifest order by path"),
    }
    for i, data in enumerate(fuzz_files(28)):
        (wh.raw / "fuzz" / f"{i:03d}.txt").parent.mkdir(parents=True, exist_ok=True)
        (wh.raw / "fuzz" / f"{i:03d}.txt").write_bytes(data)
    for i, name in enumerate(ODD_NAMES):
        path = wh.raw / "odd" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fuzz_files(len(ODD_NAMES), seed=8)[i] if i % 2 else SEED_BYTES[i % len(SEED_BYTES)])
    with open(os.path.join(os.fsencode(wh.raw / "odd"), GBK_NAME), "wb") as fh:
        fh.write(SEED_BYTES[2])
    (wh.raw / "big").mkdir()
    (wh.raw / "big" / "several-mb.txt").write_bytes(SEED_BYTES[1] * 400)  # 3 MB
    (wh.raw / "big" / "too-big.txt").write_bytes(SEED_BYTES[3] * 1000)  # 5.9 MB, over the limit set below
    (wh.raw / "big" / "empty.txt").write_bytes(b"")
    config = {"ops": {"raw__report_files": {"config": {"max_file_bytes": 5_000_000}},
                      "parsed_datasets": {"config": {"file_timeout_seconds": 120}}}}
    start = time.monotonic()
    result = wh.run(run_config=config)
    return wh, before, result, time.monotonic() - start


def test_the_run_goes_on_through_bad_files(fuzzed):
    _, _, result, elapsed = fuzzed
    assert result.success
    assert elapsed < 240
    assert asset_metadata(result, "parsed/reports")["parsed_files"] > 30  # distinct new contents


def test_every_file_ends_parsed_or_quarantined_with_a_reason(fuzzed):
    wh, *_ = fuzzed
    on_disk = sum(1 for p in wh.raw.rglob("*") if p.is_file())
    statuses = wh.query("select status, count(*) from file_manifest where deleted_at is null group by status")
    assert dict(statuses).keys() <= {"parsed", "quarantined"}, statuses
    assert sum(n for _, n in statuses) == on_disk
    assert wh.one("select count(*) from quarantine where code is null or reason is null or trim(reason) = ''") == 0
    quarantined = wh.one("select count(*) from file_manifest where status = 'quarantined'")
    assert quarantined == wh.one("select count(*) from quarantine") > 0
    codes = {code for (code,) in wh.query("select distinct code from quarantine")}
    assert {"too_large", "empty_file"} <= codes


def test_odd_file_names_are_recorded_as_they_are(fuzzed):
    wh, *_ = fuzzed
    paths = {p for (p,) in wh.query("select path from file_manifest")}
    for name in ODD_NAMES:
        assert f"odd/{name}" in paths, name
    assert "odd/报告-gbk.txt" in paths  # GBK bytes on disk, shown decoded
    assert wh.one("select status from file_manifest where path = 'odd/报告-gbk.txt'") == "parsed"


def test_nothing_already_in_the_warehouse_is_lost(fuzzed):
    wh, before, *_ = fuzzed
    after = dict(wh.query("select report_id, n_cells from dim_report"))
    assert all(after.get(report_id) == n for report_id, n in before["reports"].items())
    statuses = dict(wh.query("select report_id, status from dim_report"))
    assert all(statuses[r] in ("current", "superseded") for r in before["reports"])
    kept = wh.one(
        "select count(*) from fact_penalties where report_id in (select unnest(?::varchar[]))",
        [list(before["reports"])],
    )
    assert kept == before["cells"]
    files = set(wh.query("select path, sha256 from file_manifest where deleted_at is null"))
    assert set(before["files"]) <= files
