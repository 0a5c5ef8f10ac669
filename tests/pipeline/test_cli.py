"""`pipeline parse FILE --json` and `pipeline parse DIR`, run as a separate process."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import ParseError
from tests.support import FIXTURES
from tests.support import variants as V

CONTRACT_KEYS = {"file", "sha256", "encoding", "template", "report_year", "organization", "published_on", "cells"}
CONTRACT_KEYS |= {"findings"}
CELL_KEYS = {"table", "row", "column", "value", "raw", "unit", "label_inferred"}
FINDING_KEYS = {"severity", "code", "message", "table", "row", "column"}


def _command() -> list[str]:
    script = Path(sys.executable).parent / "pipeline"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_command(), *args], capture_output=True, text=True, encoding="utf-8", timeout=120, check=False
    )


def _assert_report(obj: dict, variant: V.Variant, data: bytes) -> None:
    assert obj.keys() >= CONTRACT_KEYS, sorted(CONTRACT_KEYS - obj.keys())
    assert obj["sha256"] == hashlib.sha256(data).hexdigest()
    assert obj["template"] == variant.template
    assert obj["organization"] == V.SEED_META[variant.seed]["organization"]
    assert obj["report_year"] == V.SEED_META[variant.seed]["report_year"]
    assert obj["published_on"] == V.SEED_META[variant.seed]["published_on"]
    got = {}
    for cell in obj["cells"]:
        assert cell.keys() >= CELL_KEYS
        key = (cell["table"], cell["row"], cell["column"])
        assert key not in got, f"duplicate {key}"
        got[key] = cell
        if cell["column"] not in V.MONEY_COLUMNS and cell["value"] is not None:
            assert type(cell["value"]) is int, f"{key}: a count is a JSON integer, got {cell['value']!r}"
    assert got.keys() == variant.expected.keys()
    wrong = [k for k, want in variant.expected.items() if got[k]["value"] != want]
    assert not wrong, [(k, variant.expected[k], got[k]["value"]) for k in wrong[:20]]
    for f in obj["findings"]:
        assert f.keys() >= FINDING_KEYS


@pytest.mark.integration
@pytest.mark.parametrize(("seed", "enc"), [("000", "utf-8"), ("003", "gb18030"), ("002", "utf-16")])
def test_parse_file_json(seed, enc, tmp_path):
    v = V.make_variant(seed)
    data = V.encode(v.text, enc)
    path = tmp_path / f"{seed}.txt"
    path.write_bytes(data)
    proc = run_cli("parse", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)  # exactly one JSON document
    assert isinstance(obj, dict)
    assert obj["file"].endswith(f"{seed}.txt")
    assert obj["encoding"] == V.ENCODINGS[enc]
    _assert_report(obj, v, data)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty_file"), (bytes(range(256)) * 8, "binary_file")],
    ids=["empty", "binary"],
)
def test_parse_bad_file_exits_nonzero_with_one_line_reason(data, code, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    proc = run_cli("parse", str(path), "--json")
    assert proc.returncode != 0
    assert proc.stdout.strip() == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert code in lines[0]


GOOD = {"a_000.txt": ("000", "utf-8"), "c_002.txt": ("002", "gb18030"), "e_003.txt": ("003", "utf-16")}
BAD = {
    "0_empty.txt": (b"", "empty_file"),
    "b_binary.txt": (bytes(range(256)) * 8, "binary_file"),
    "d_news.txt": ((V.FIXTURES / "bad" / "news_zh.txt").read_bytes(), "not_a_report"),
}


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    written = {}
    for name, (seed, enc) in GOOD.items():
        v = V.make_variant(seed)
        data = V.encode(v.text, enc)
        (folder / name).write_bytes(data)
        written[name] = (v, data)
    for name, (data, _) in BAD.items():
        (folder / name).write_bytes(data)
    return written, run_cli("parse", str(folder))


@pytest.mark.integration
def test_folder_prints_one_json_object_per_good_file(folder_run):
    written, proc = folder_run
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    objs = [json.loads(ln) for ln in lines]
    names = sorted(Path(o["file"]).name for o in objs)
    assert names == sorted(GOOD)
    for obj in objs:
        variant, data = written[Path(obj["file"]).name]
        _assert_report(obj, variant, data)


@pytest.mark.integration
def test_folder_reports_each_bad_file_on_one_stderr_line(folder_run):
    _, proc = folder_run
    lines = proc.stderr.strip().splitlines()
    for name, (_, code) in BAD.items():
        mine = [ln for ln in lines if name in ln]
        assert len(mine) == 1, f"{name}: {mine}"
        assert code in mine[0], mine[0]
    for name in GOOD:
        assert not [ln for ln in lines if name in ln], f"good file {name} reported on stderr"


@pytest.mark.integration
def test_folder_with_a_failed_file_exits_nonzero(folder_run):
    _, proc = folder_run
    assert proc.returncode != 0


@pytest.mark.integration
def test_folder_of_good_files_exits_zero(tmp_path):
    for seed in ("001", "004"):
        (tmp_path / f"{seed}.txt").write_bytes((V.SEED_DIR / V.SEED_FILES[seed]).read_bytes())
    proc = run_cli("parse", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.strip()]
    assert sorted(o["organization"] for o in objs) == sorted(V.SEED_META[s]["organization"] for s in ("001", "004"))


@pytest.mark.integration
def test_parse_error_survives_the_process_pool(tmp_path):
    """Batch workers return ParseErrors across processes: they must pickle with code and message."""
    import pickle

    from pipeline.worker_pool import parse_paths

    err = pickle.loads(pickle.dumps(ParseError("binary_file", "contains NUL bytes")))
    assert (err.code, err.message) == ("binary_file", "contains NUL bytes")
    for i in range(10):
        (tmp_path / f"bad{i}.txt").write_bytes(b"\x00\x01" * 50)
    results = list(parse_paths(sorted(tmp_path.iterdir()), workers=2))
    assert [r.code for _, r in results] == ["binary_file"] * 10


# ------------------------------------------------------------------------------------------------
# Hostile folders (issue 14): one line per failed file on stderr, nothing else
# ------------------------------------------------------------------------------------------------

_CLI = textwrap.dedent("""
    import os, sys, time
    import pipeline.worker_pool as worker_pool
    real = worker_pool.parse_file
    def parse_file(path):
        if path.name.startswith("crash"):
            os._exit(3)  # the worker dies, as in a segfault of a C extension or the OOM killer
        if path.name.startswith("hang"):
            time.sleep(120)
        return real(path)
    worker_pool.parse_file = parse_file
    from pipeline.cli import main
    sys.exit(main(sys.argv[1:]))
""")
_REASON = re.compile(r"^\S.*: [a-z_]+: \S.*$")


@pytest.mark.integration
def test_the_cli_survives_a_crashing_and_a_hanging_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k, seed in enumerate(V.SEEDS):
        (folder / f"{k}_{seed}.txt").write_text(V.seed_text(seed), encoding="utf-8")
    (folder / "crash.txt").write_text(V.seed_text("000"), encoding="utf-8")
    (folder / "hang.txt").write_text(V.seed_text("000"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _CLI, "parse", str(folder), "--timeout", "8", "--workers", "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert len([json.loads(x) for x in proc.stdout.splitlines()]) == len(V.SEEDS)
    errors = proc.stderr.splitlines()
    assert sorted(e.split(": ")[1] for e in errors) == ["parse_timeout", "parser_crash"], proc.stderr
    assert all(_REASON.match(e) for e in errors)


@pytest.mark.integration
def test_the_cli_stderr_holds_only_the_reasons(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in (FIXTURES / "pdf").glob("*.pdf"):  # LibreOffice PDFs: pdfminer logged `Could not get FontBBox…`
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    ruled = (FIXTURES / "pdf" / "quantang_2022_ruled.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(ruled[: len(ruled) // 2])
    (folder / "noise.txt").write_bytes(b"\x80\xff" * 50 + b"abc")  # chardet: `no_match_encoding … excluded`
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(folder)], capture_output=True,
                          text=True, timeout=300)
    errors = proc.stderr.splitlines()
    assert all(_REASON.match(e) for e in errors), proc.stderr[:2000]
    reasons = {Path(e.split(": ")[0]).name: e for e in errors}
    assert set(reasons) == {"truncated.pdf", "noise.txt", "scanned_no_text_layer.pdf", "encrypted_password.pdf"}
    assert "truncated" in reasons["truncated.pdf"] and "PSEOF" not in reasons["truncated.pdf"]


def test_parse_paths_memory_limit_is_forwarded(tmp_path):
    # The pool's own limits are tested in test_worker_pool.py; here: the CLI's --max-memory reaches it.
    from pipeline import cli

    seen = {}

    def fake(paths, **kw):
        seen.update(kw)
        return iter(())

    original = cli.parse_paths
    cli.parse_paths = fake
    try:
        assert cli.main(["parse", str(tmp_path), "--max-memory", "512", "--timeout", "7"]) == 0
    finally:
        cli.parse_paths = original
    assert seen["memory_limit"] == 512 << 20 and seen["timeout"] == 7


# ------------------------------------------------------------------------------------------------
# On a terminal: a progress line and a summary on stderr (issue 16, point 10)
# ------------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_parse_dir_shows_progress_and_a_summary_on_a_terminal(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k, seed in enumerate(V.SEEDS):
        (folder / f"{k}_{seed}.txt").write_text(V.seed_text(seed), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(folder)], stdout=subprocess.PIPE,
                          stderr=follower, timeout=300, env={**os.environ, "TERM": "xterm"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    terminal = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 1
    assert len([json.loads(x) for x in proc.stdout.splitlines()]) == len(V.SEEDS)  # stdout: JSON lines only
    assert f"parsed {len(V.SEEDS) + 1:,}/{len(V.SEEDS) + 1:,} files (1 refused)" in terminal
    assert "empty.txt: empty_file: the file is empty" in terminal
    assert f"{len(V.SEEDS) + 1} files in " in terminal
    assert f": {len(V.SEEDS)} reports, 1 refused (empty_file 1)" in terminal

