"""Files computed once per Python environment and kept beside it, in `<venv>/share/gov-disclosure-warehouse/`.

What is kept there depends only on installed packages and the project's files (the chart's script bundle, the
tables each SQL model reads), so it is right for every warehouse this environment builds, and a fresh
clone's first run computes it. An environment that cannot be written only computes it again each time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FOLDER = Path(sys.prefix) / "share" / "gov-disclosure-warehouse"


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` through a temporary file and a rename (a reader never sees half a file). False, with nothing
    left behind, when the folder cannot be written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True
