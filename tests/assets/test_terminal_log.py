"""What a person sees of a run in the terminal (assets/defs/terminal_log.py, issue 16, point 10): `make run` prints
the steps' own messages, not Dagster's DEBUG events; `make ui` and `make daemon` hand the terminal to Dagster."""

from __future__ import annotations

import subprocess

import dagster as dg
import pytest

from assets.definitions import defs
from assets.defs.terminal_log import LOGGER
from assets.lib.summary import counted
from tests.support import PROJECT
from tests.support.nightly_support import SAMPLE_FILES, Warehouse

# Runs warehouse_job in process and make in a subprocess.
pytestmark = pytest.mark.integration


def test_make_run_prints_step_messages_not_debug_events(tmp_path, monkeypatch, capfd):
    wh = Warehouse(tmp_path)
    wh.land_samples(SAMPLE_FILES[:2])
    (wh.raw / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj")  # a truncated PDF: refused, named with its reason
    for key, value in wh.env().items():
        monkeypatch.setenv(key, value)
    config = {"loggers": {LOGGER: {"config": {"log_level": "INFO"}}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs().resolve_job_def("warehouse_job").execute_in_process(
            instance=instance, run_config=config, raise_on_error=False)
    assert result.success
    out = capfd.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert "DEBUG" not in out and "STEP_OUTPUT" not in out
    assert any(line.startswith("  raw/report_files:") for line in lines)
    assert any("refused broken.pdf: unreadable_pdf: " in line for line in lines), out[-3000:]
    assert any(line.startswith("  publish/warehouse: published") for line in lines)
    assert any(line.startswith("  parsed_datasets: parsed 3 files (parser ") and ": 2 reports, 1 refused by this run"
               in line for line in lines), lines


def test_counts_read_as_sentences():
    assert [counted(n, "file") for n in (0, 1, 2, 12345)] == ["0 files", "1 file", "2 files", "12,345 files"]


@pytest.mark.parametrize("target", ["ui", "daemon"])
def test_ui_and_daemon_hand_the_terminal_to_dagster(target):
    """`exec`: the first Ctrl-C reaches Dagster's own process group, which stops everything cleanly."""
    plan = subprocess.run(["make", "--no-print-directory", "-n", target], cwd=PROJECT, capture_output=True, text=True,
                          timeout=60)
    assert plan.stdout.strip().splitlines()[-1].startswith("exec "), plan.stdout
