"""The code location: everything under `assets/defs/` is discovered and loaded (`dg dev`, `dg launch`).

The publish asset is added last, once the whole graph is known: it depends on every asset of kind
`duckdb`, wherever it is defined (`assets/defs/publish.py`).

Dagster calls `defs()` several times for one run in one process (to find the job, to reconstruct it, to
plan it, to execute it: five loads in `dg launch`, a second each). The definitions depend only on the code
and on the environment (the resources take their settings from it), so they are built once per environment
and the same object is returned while the environment is unchanged.
"""

import os
from functools import lru_cache
from pathlib import Path

import dagster as dg

from assets.defs.publish import with_publish


@lru_cache(maxsize=8)
def _load(environment: tuple[tuple[str, str], ...]) -> dg.Definitions:
    return with_publish(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))


@dg.definitions
def defs() -> dg.Definitions:
    return _load(tuple(sorted(os.environ.items())))
