"""The parse pool (pipeline/worker_pool.py): a worker's memory is bounded, workers die with their parent (issue 14), and
`prefetch` keeps the parser going while the warehouse writes a batch (issue 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import pipeline.worker_pool as worker_pool
from pipeline import Report
from pipeline.worker_pool import parse_paths, prefetch
from tests.support import variants as V
from tests.support.mutations import SEED_BYTES

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RLIMIT_AS and PR_SET_PDEATHSIG are Linux's")


def _hungry_parse_file(path: Path):
    """Stands in for `parse_file` in the forked workers: a file named bomb* asks for 4 GiB at once."""
    if path.name.startswith("bomb"):
        block = bytearray(4 << 30)
        return block[:1]
    return _real_parse_file(path)


_real_parse_file = worker_pool.parse_file


@pytest.mark.integration
@linux_only
def test_a_worker_over_its_memory_limit_fails_its_file_only(tmp_path, monkeypatch):
    monkeypatch.setattr(worker_pool, "parse_file", _hungry_parse_file)  # the workers are forked: they inherit it
    paths = []
    for name in ("a.txt", "bomb.txt", "c.txt"):
        (tmp_path / name).write_text(V.seed_text("001"), encoding="utf-8")
        paths.append(tmp_path / name)
    results = dict(parse_paths(paths, workers=2, timeout=60, memory_limit=1 << 30))
    assert getattr(results[tmp_path / "bomb.txt"], "code", None) == "memory_limit"
    assert "1 GiB" in results[tmp_path / "bomb.txt"].message
    assert len(results[tmp_path / "a.txt"].cells) == len(results[tmp_path / "c.txt"].cells) == 200


_ORPHANS = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    import pipeline.worker_pool as worker_pool
    pids = Path(sys.argv[1])
    def parse_file(path):
        (pids / str(os.getpid())).touch()  # a worker, hanging on a slow file
        time.sleep(300)
    worker_pool.parse_file = parse_file
    files = [pids / f"{k}.txt" for k in range(2)]
    list(worker_pool.parse_paths(files, workers=2, timeout=600))
""")


def _alive(pid: int) -> bool:
    """Running (a zombie nobody has reaped yet counts as gone: it holds no files and runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.integration
@linux_only
def test_workers_die_with_their_parent(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", _ORPHANS, str(tmp_path)])
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = [int(p.name) for p in tmp_path.iterdir() if p.name.isdigit()]
            time.sleep(0.1)
        assert len(workers) == 2, "the workers never started"
        parent.send_signal(signal.SIGKILL)  # the parent alone, as the OOM killer does
        parent.wait(10)
        deadline = time.monotonic() + 5
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.integration
@linux_only
def test_the_address_space_limit_is_what_the_worker_inherited_plus_the_budget():
    import resource

    script = textwrap.dedent("""
        import resource, pipeline.worker_pool as b
        b._limit_memory(1 << 30)
        print(resource.getrlimit(resource.RLIMIT_AS)[0])
    """)
    limit = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
    assert (1 << 30) < limit < (1 << 30) + (4 << 30)  # 1 GiB beyond the interpreter's own mappings
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY  # this process untouched


# ------------------------------------------------------------------------------------------------
# `prefetch`: the parser keeps going while the warehouse writes a batch (issue 7)
# ------------------------------------------------------------------------------------------------


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


@pytest.mark.integration
def test_parse_paths_through_prefetch_stops_its_workers(tmp_path):
    for i in range(12):
        (tmp_path / f"{i:02d}.txt").write_text("not a report\n" * 3, encoding="utf-8")
    results = prefetch(parse_paths(sorted(tmp_path.iterdir()), workers=2, timeout=30), size=4)
    first = next(results)
    assert first[0].name == "00.txt" and first[1].code == "not_a_report"
    results.close()
    assert not any(t.name == "parse-prefetch" for t in threading.enumerate())


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


@pytest.mark.integration
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


@pytest.mark.integration
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
