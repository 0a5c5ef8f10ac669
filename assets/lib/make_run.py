"""`python -m assets.lib.make_run`: what `make run` runs, in one process: the warehouse job, then the summary.

It runs `warehouse_job` exactly as `dg launch --job warehouse_job` does (the same Dagster function, on the
instance in DAGSTER_HOME, with `.env` loaded, the definitions from the module `assets.definitions`), with the
terse logger (`assets/defs/terminal_log.py`), then prints what `python -m assets.lib.summary` prints. Doing
both in one process pays Python's and Dagster's start-up once instead of three times (`dg`, the definitions,
the summary), and opens the Dagster instance once: about 4 s of a `make run` that finds one new report. The
heap is frozen while the job runs, and the process ends without the interpreter's finalization
(`assets/lib/heap.py`): about 1.2 s of a +100 run on 100,000 reports, spent walking Dagster's objects.

A failed run prints Dagster's message and exits with status 1, without the summary (as `make run` did).
"""

from __future__ import annotations

import json

JOB = "warehouse_job"
DEFINITIONS_MODULE = "assets.definitions"
TERSE_RUN_CONFIG = {"loggers": {"terse": {"config": {"log_level": "INFO"}}}}


def launch(instance, run_config: dict | None = None) -> None:
    """Run the warehouse job in this process on `instance` (what `dg launch --job` does, from
    `dagster._cli.job.job_execute_command_impl`); raises `click.ClickException` when the run fails."""
    from dagster._cli.job import execute_execute_command
    from dagster_shared.cli import PythonPointerOpts

    from assets.lib.storage import PROJECT_ROOT

    execute_execute_command(
        instance=instance,
        python_pointer_opts=PythonPointerOpts(module_name=DEFINITIONS_MODULE, working_directory=str(PROJECT_ROOT)),
        job_name=JOB,
        config_json=json.dumps(TERSE_RUN_CONFIG if run_config is None else run_config),
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    argparse.ArgumentParser(prog="python -m assets.lib.make_run", description=__doc__.split("\n\n")[0],
                            ).parse_args(argv)
    import click
    from dagster._cli.utils import get_possibly_temporary_instance_for_cli
    from dagster._utils.interrupts import capture_interrupts

    from assets.definitions import defs
    from assets.lib import heap, summary

    # the instance of DAGSTER_HOME with .env loaded, as `dg launch` opens it; the summary reads the same one
    with capture_interrupts(), get_possibly_temporary_instance_for_cli("make run") as instance:
        defs()  # built once per environment: `launch` finds them loaded
        try:
            with heap.frozen_heap():
                launch(instance)
        except click.ClickException as exc:
            exc.show()
            return 1
        print("\n" + "\n".join(summary.report(summary.published_warehouse(), instance)))
    return 0


if __name__ == "__main__":
    from assets.lib import heap

    heap.exit_now(main())
