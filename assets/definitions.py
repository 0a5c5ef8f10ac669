"""The code location: everything under `assets/defs/` is discovered and loaded (`dg dev`, `dg launch`).

The publish asset is added last, once the whole graph is known: it depends on every asset of kind
`duckdb`, wherever it is defined (`assets/defs/publish.py`).
"""

from pathlib import Path

import dagster as dg

from assets.defs.publish import with_publish


@dg.definitions
def defs() -> dg.Definitions:
    return with_publish(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
