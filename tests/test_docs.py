"""The README is a front door and every page of docs/ is true to the code (issue 15, point 9; issue 16, point 2):
links resolve, every `make` target and `.venv/bin/` tool the pages name exists, no `uv run` (uv may not be
on PATH after `make run`), and the README stays under 200 lines."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PAGES = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]


def commands(page: Path) -> list[str]:
    """The lines of the page's bash blocks, comments dropped."""
    blocks = re.findall(r"```bash\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_is_a_front_door():
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 200
    for section in ("## Quickstart", "## What you get", "## Where to go next", "## How the code is laid out"):
        assert section in text
    assert "make run" in text and "make test" in text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_resolve(page):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if target.startswith("http"):
            continue
        assert (page.parent / target).exists(), f"{page.name}: {target}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_names_what_exists(page):
    text = page.read_text(encoding="utf-8")
    assert "uv run" not in text, f"{page.name}: `uv run` fails where uv is not on PATH; use .venv/bin/ or make"
    targets = set(re.findall(r"`make ([a-z-]+)", text)) | {
        c.split()[1] for c in commands(page) if c.startswith("make ") and len(c.split()) > 1}
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    for target in targets:
        assert re.search(rf"^{re.escape(target)}:", makefile, flags=re.M), f"{page.name}: make {target}"
    for tool in set(re.findall(r"\.venv/bin/([a-z][\w-]*)", text)):
        assert (PROJECT / ".venv" / "bin" / tool).exists(), f"{page.name}: .venv/bin/{tool}"
    repo_path = r"`((?:pipeline|assets|dbt_like_sql|synthetic|benchmarks|config|tests)/[\w/.-]+)`"
    for path in set(re.findall(repo_path, text)):
        assert (PROJECT / path).exists() or list(PROJECT.glob(path)), f"{page.name}: {path}"


@pytest.mark.integration
def test_the_python_modules_the_pages_run_answer_help():
    modules = {m for page in PAGES for m in re.findall(r"\.venv/bin/python -m ([\w.]+)", page.read_text("utf-8"))}
    assert "pipeline.seed_files" in modules
    for module in modules:
        done = subprocess.run([str(PROJECT / ".venv" / "bin" / "python"), "-m", module, "--help"], cwd=PROJECT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "usage" in done.stdout, (module, done.stderr)
