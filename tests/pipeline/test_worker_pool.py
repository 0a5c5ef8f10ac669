"""The parse pool's own limits (issue 14): a worker's memory is bounded, and workers die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import pipeline.worker_pool as worker_pool
from pipeline.worker_pool import parse_paths
from tests.support import variants as V

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RLIMIT_AS and PR_SET_PDEATHSIG are Linux's")


def _hungry_parse_file(path: Path):
    """Stands in for `parse_file` in the forked workers: a file named bomb* asks for 4 GiB at once."""
    if path.name.startswith("bomb"):
        block = bytearray(4 << 30)
        return block[:1]
    return _real_parse_file(path)


_real_parse_file = worker_pool.parse_file


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
