"""The project's resources and executor as a component, so that `dg list env` lists its settings.

`dg list env` shows the variables of `.env` and those a `defs.yaml` declares under `requirements: env`; the
settings read from Python alone would stay invisible there. The resources take each path setting through
`dg.EnvVar` when it is set (`assets/lib/storage.py`), so the UI's resource page names the variable too.

The in-process executor runs the steps of a run one after another in one process: parsing already uses
every core through its own process pool, and DuckDB takes one writer at a time anyway.
"""

import dagster as dg

from assets.lib.storage import default_resources


class WarehouseSettings(dg.Component, dg.Model, dg.Resolvable):
    """The warehouse and data-path resources, configured from the environment, and the executor."""

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        return dg.Definitions(resources=default_resources(), executor=dg.in_process_executor)
