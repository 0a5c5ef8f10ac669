"""`pipeline parse FILE --json` and `pipeline parse DIR`, run as a separate process."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import ParseError
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


def test_folder_prints_one_json_object_per_good_file(folder_run):
    written, proc = folder_run
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    objs = [json.loads(ln) for ln in lines]
    names = sorted(Path(o["file"]).name for o in objs)
    assert names == sorted(GOOD)
    for obj in objs:
        variant, data = written[Path(obj["file"]).name]
        _assert_report(obj, variant, data)


def test_folder_reports_each_bad_file_on_one_stderr_line(folder_run):
    _, proc = folder_run
    lines = proc.stderr.strip().splitlines()
    for name, (_, code) in BAD.items():
        mine = [ln for ln in lines if name in ln]
        assert len(mine) == 1, f"{name}: {mine}"
        assert code in mine[0], mine[0]
    for name in GOOD:
        assert not [ln for ln in lines if name in ln], f"good file {name} reported on stderr"


def test_folder_with_a_failed_file_exits_nonzero(folder_run):
    _, proc = folder_run
    assert proc.returncode != 0


def test_folder_of_good_files_exits_zero(tmp_path):
    for seed in ("001", "004"):
        (tmp_path / f"{seed}.txt").write_bytes((V.SEED_DIR / V.SEED_FILES[seed]).read_bytes())
    proc = run_cli("parse", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.strip()]
    assert sorted(o["organization"] for o in objs) == sorted(V.SEED_META[s]["organization"] for s in ("001", "004"))


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
