"""The warehouse lock (assets/lib/locking.py): a record lock, freed when its process dies whatever its children do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from assets.lib.locking import LockTimeout, exclusive
from tests.support import PROJECT
from tests.support.nightly_support import kill_group

LOCK_HOLDER = """
import os, sys, time
from assets.lib.locking import exclusive
with exclusive(sys.argv[1]):
    if os.fork() == 0:  # a child that inherits every descriptor, like a parse worker, and lives on
        time.sleep(60)
        os._exit(0)
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.integration
def test_the_lock_dies_with_its_process_whatever_its_children_do(tmp_path):
    """A forked child keeps every descriptor of its parent; a record lock is not one of them."""
    lock = tmp_path / ".warehouse.lock"
    proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(lock)], stdout=subprocess.PIPE,
                            cwd=PROJECT, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == b"held"
        with pytest.raises(LockTimeout), exclusive(lock, timeout=0.5):
            pass
        os.kill(proc.pid, signal.SIGKILL)  # the holder alone: its child lives on
        proc.wait(timeout=10)
        started = time.monotonic()
        with exclusive(lock, timeout=10):
            waited = time.monotonic() - started
        assert waited < 2.0
    finally:
        kill_group(proc)
