"""Bad input everywhere (issue 4, point 7): the parser and the ingestion on mutated reports.

* hypothesis mutates the seeds (truncation, byte flips, shuffled or duplicated lines, re-encoding in a
  wrong codec, giant lines, inserted garbage): `parse_bytes` returns a Report or raises ParseError,
  nothing else, in bounded time;
* files of several MB and a multi-MB line parse in bounded time;
* the batch runner bounds the time per file and survives a worker that dies;
* ingestion: 40 mutated files with odd names (spaces, quotes, CJK, a newline, GBK bytes that are not
  UTF-8, a leading dash, no extension) land in a published warehouse; one run later every file is either
  parsed or quarantined with a reason, and nothing that was in the warehouse is lost.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import ParseError, Report, parse_bytes
from pipeline.worker_pool import parse_paths
from tests.support import FIXTURES
from tests.support.nightly_support import Warehouse, asset_metadata

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
SEED_BYTES = [p.read_bytes() for p in SEEDS]
WRONG_CODECS = ("big5", "shift_jis", "euc-kr", "latin-1", "cp1252", "utf-16-be", "utf-16-le", "utf-32", "koi8-r")


# ------------------------------------------------------------------------------------------------
# mutations (shared by hypothesis and the seeded mutator of the ingestion test)
# ------------------------------------------------------------------------------------------------


def truncate(data: bytes, at: float) -> bytes:
    return data[: int(len(data) * at)]


def flip_bytes(data: bytes, positions: list[int]) -> bytes:
    out = bytearray(data)
    for p in positions:
        if out:
            out[p % len(out)] ^= 1 << (p % 8)
    return bytes(out)


def shuffle_lines(data: bytes, seed: int) -> bytes:
    lines = data.split(b"\n")
    random.Random(seed).shuffle(lines)
    return b"\n".join(lines)


def reencode(data: bytes, codec: str) -> bytes:
    return data.decode("utf-8", "replace").encode(codec, "replace")


def giant_line(data: bytes, at: float, size: int) -> bytes:
    lines = data.split(b"\n")
    i = int(len(lines) * at) % len(lines)
    lines[i] = (lines[i] or b"|") * max(1, size // max(1, len(lines[i])))
    return b"\n".join(lines)


def insert_garbage(data: bytes, at: float, garbage: bytes) -> bytes:
    i = int(len(data) * at)
    return data[:i] + garbage + data[i:]


def mutate(data: bytes, ops: list[tuple], rng_seed: int = 0) -> bytes:
    for op, a, b in ops:
        if op == "truncate":
            data = truncate(data, a)
        elif op == "flip":
            data = flip_bytes(data, b)
        elif op == "shuffle":
            data = shuffle_lines(data, rng_seed)
        elif op == "reencode":
            data = reencode(data, b)
        elif op == "giant_line":
            data = giant_line(data, a, b)
        elif op == "garbage":
            data = insert_garbage(data, a, b)
        elif op == "repeat":
            data = data * b
    return data


fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
operations = st.one_of(
    st.tuples(st.just("truncate"), fractions, st.none()),
    st.tuples(st.just("flip"), st.none(), st.lists(st.integers(0, 10**6), min_size=1, max_size=40)),
    st.tuples(st.just("shuffle"), st.none(), st.none()),
    st.tuples(st.just("reencode"), st.none(), st.sampled_from(WRONG_CODECS)),
    st.tuples(st.just("giant_line"), fractions, st.integers(1_000, 200_000)),
    st.tuples(st.just("garbage"), fractions, st.binary(min_size=1, max_size=2_000)),
    st.tuples(st.just("repeat"), st.none(), st.integers(2, 4)),
)


def parse_outcome(data: bytes, name: str = "fuzz.txt") -> Report | ParseError:
    try:
        return parse_bytes(data, file=name)
    except ParseError as exc:
        return exc  # anything else propagates and fails the test


@settings(max_examples=60, deadline=20_000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=st.integers(0, len(SEEDS) - 1), ops=st.lists(operations, min_size=1, max_size=3), rng=st.integers(0, 99))
def test_mutated_reports_are_parsed_or_refused_with_a_reason(seed, ops, rng):
    outcome = parse_outcome(mutate(SEED_BYTES[seed], ops, rng))
    if isinstance(outcome, ParseError):
        assert outcome.code and outcome.message
    else:
        assert outcome.sha256 and isinstance(outcome.cells, list)


@settings(max_examples=40, deadline=10_000)
@given(data=st.binary(max_size=4_000))
def test_arbitrary_bytes_are_parsed_or_refused(data):
    outcome = parse_outcome(data)
    assert isinstance(outcome, Report | ParseError)


@settings(max_examples=20, deadline=10_000)
@given(text=st.text(max_size=3_000), codec=st.sampled_from(("utf-8", "gb18030", "utf-16", "big5")))
def test_arbitrary_text_in_any_encoding_is_parsed_or_refused(text, codec):
    outcome = parse_outcome(text.encode(codec, "replace"))
    assert isinstance(outcome, Report | ParseError)


@pytest.mark.parametrize(
    "name, make",
    [
        ("several MB (the report 400 times)", lambda d: d * 400),
        ("one line of 3 MB", lambda d: giant_line(d, 0.5, 3_000_000)),
        ("3 MB of digits and pipes", lambda d: d + b"1 | " * 750_000),
    ],
)
def test_big_inputs_parse_in_bounded_time(name, make):
    data = make(SEED_BYTES[0])
    assert len(data) > 2_000_000
    start = time.monotonic()
    outcome = parse_outcome(data)
    elapsed = time.monotonic() - start
    assert isinstance(outcome, Report | ParseError)
    assert elapsed < 90, f"{name}: {elapsed:.0f} s"


# ------------------------------------------------------------------------------------------------
# the batch runner: a time limit per file, and a dying worker
# ------------------------------------------------------------------------------------------------


def misbehave(report: Report) -> str:
    """A transform run in the workers: sleeps or kills its process for some files."""
    if "slow" in report.file:
        time.sleep(60)
    if "crash" in report.file:
        os._exit(3)
    return report.organization or ""


def test_the_batch_runner_bounds_time_and_survives_dying_workers(tmp_path):
    for name in ("a.txt", "slow.txt", "b.txt", "crash.txt", "c.txt"):
        (tmp_path / name).write_bytes(SEED_BYTES[0])
    (tmp_path / "empty.txt").write_bytes(b"")
    paths = sorted(tmp_path.iterdir())
    start = time.monotonic()
    results = dict(parse_paths(paths, workers=2, transform=misbehave, timeout=5))
    assert time.monotonic() - start < 45
    by_name = {p.name: r for p, r in results.items()}
    assert list(by_name) == [p.name for p in paths]  # every file, in order
    assert by_name["slow.txt"].code == "parse_timeout"
    assert by_name["crash.txt"].code == "parser_crash"
    assert by_name["empty.txt"].code == "empty_file"
    assert all(isinstance(by_name[n], str) for n in ("a.txt", "b.txt", "c.txt"))


def test_files_sent_in_chunks_are_judged_one_by_one(tmp_path):
    """With many files the workers get chunks of several; a chunk that hangs or dies is not judged as a
    whole: its files run again alone, and only the guilty ones are refused."""
    names = [f"{i:03d}.txt" for i in range(64)]
    names[21], names[42] = "021-slow.txt", "042-crash.txt"
    for name in names:
        (tmp_path / name).write_bytes(SEED_BYTES[0])
    paths = sorted(tmp_path.iterdir())
    results = dict(parse_paths(paths, workers=2, transform=misbehave, timeout=3))
    by_name = {p.name: r for p, r in results.items()}
    assert list(by_name) == [p.name for p in paths]
    assert by_name["021-slow.txt"].code == "parse_timeout"
    assert by_name["042-crash.txt"].code == "parser_crash"
    assert all(isinstance(r, str) for n, r in by_name.items() if n not in ("021-slow.txt", "042-crash.txt"))


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
