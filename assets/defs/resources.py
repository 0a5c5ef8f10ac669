"""Resources (from the environment, see `.env.example`) and the executor.

The in-process executor runs the steps of a run one after another in one process: parsing already
uses every core through its own process pool, and DuckDB takes one writer at a time anyway.
"""

import dagster as dg

from assets.lib.storage import default_resources


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=default_resources(), executor=dg.in_process_executor)
