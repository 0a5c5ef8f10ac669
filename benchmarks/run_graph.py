"""Run the nightly job (`warehouse_job`: every asset but the on-demand spreadsheets) once, in process, and
print what it took as one JSON line.

The data lives where the environment says (RAW_DIR, PARQUET_DIR, WAREHOUSE_DB, CHARTS_DIR), so the
benchmark can point it at a generated corpus and a scratch warehouse. Run as its own process by
`bench.py`, which samples the memory of the process tree (this process and the parser workers).

    RAW_DIR=... PARQUET_DIR=... WAREHOUSE_DB=... .venv/bin/python benchmarks/run_graph.py
"""

from __future__ import annotations

import json
import time

STAGES = {"raw__report_files": "scan", "parsed_datasets": "parse", "publish__warehouse": "publish"}


def run() -> dict:
    import dagster as dg

    from assets.definitions import defs
    from assets.defs.automation import JOB_NAME
    from assets.lib import heap

    start = time.perf_counter()
    job = defs().resolve_job_def(JOB_NAME)
    # the nightly's job: every asset but the spreadsheets; the heap frozen as make run freezes it
    with heap.frozen_heap(), dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance)
    wall = time.perf_counter() - start
    stages = {"scan": 0.0, "parse": 0.0, "load": 0.0, "publish": 0.0}
    steps = []
    for event in result.all_events:
        if event.is_step_success:
            seconds = event.event_specific_data.duration_ms / 1000
            stages[STAGES.get(event.step_key, "load")] += seconds
            steps.append((seconds, event.step_key))
    counts = {}
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        for key in ("hashed_files", "parsed_files", "parsed", "quarantined"):
            if key in metadata:
                counts[key] = metadata[key].value
    return {"success": result.success, "wall": wall, "stages": stages, "counts": counts,
            "slowest": sorted(steps, reverse=True)[:5], "steps": [[step, round(s, 3)] for s, step in steps]}


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    print(json.dumps(run()))
    from assets.lib import heap

    heap.exit_now(0)  # as make run ends
