"""`python -m assets.lib.make_run`: what `make run` runs, in one process: the warehouse job, then the summary.

It runs `warehouse_job` exactly as `dg launch --job warehouse_job` does (the same Dagster function, on the
instance in DAGSTER_HOME, with `.env` loaded, the definitions from the module `assets.definitions`), with the
terse logger (`assets/defs/terminal_log.py`), then prints what `python -m assets.lib.summary` prints. Doing
both in one process pays Python's and Dagster's start-up once instead of three times (`dg`, the definitions,
the summary): about 4 s of a `make run` that finds one new report.

A failed run prints Dagster's message and exits with status 1, without the summary (as `make run` did).
"""

from __future__ import annotations

import json
import sys

JOB = "warehouse_job"
DEFINITIONS_MODULE = "assets.definitions"
TERSE_RUN_CONFIG = {"loggers": {"terse": {"config": {"log_level": "INFO"}}}}


def launch(run_config: dict | None = None) -> None:
    """Run the warehouse job in this process, recorded in DAGSTER_HOME (what `dg launch --job` does)."""
    from dagster._cli.job import job_execute_command_impl

    from assets.lib.storage import PROJECT_ROOT

    job_execute_command_impl(
        job_name=JOB,
        config=(),
        config_json=json.dumps(TERSE_RUN_CONFIG if run_config is None else run_config),
        tags=None,
        op_selection=None,
        partition=None,
        partition_range=None,
        repository=None,
        module_name=DEFINITIONS_MODULE,
        working_directory=str(PROJECT_ROOT),
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    argparse.ArgumentParser(prog="python -m assets.lib.make_run", description=__doc__.split("\n\n")[0],
                            ).parse_args(argv)
    import click

    try:
        launch()
    except click.ClickException as exc:
        exc.show()
        return 1
    from assets.lib import summary

    summary.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
