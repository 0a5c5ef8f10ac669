"""Mutations of report files, shared by the parser's fuzz tests (tests/pipeline/test_parse_fuzzed.py) and the
ingestion of mutated files (tests/assets/test_nightly_bad_files.py): plain functions, and hypothesis strategies."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from tests.support import FIXTURES

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
SEED_BYTES = [p.read_bytes() for p in SEEDS]
WRONG_CODECS = ("big5", "shift_jis", "euc-kr", "latin-1", "cp1252", "utf-16-be", "utf-16-le", "utf-32", "koi8-r")


# ------------------------------------------------------------------------------------------------
# mutations (shared by hypothesis and the seeded mutator of the ingestion test)
# ------------------------------------------------------------------------------------------------


def truncate(data: bytes, at: float) -> bytes:
    return data[: int(len(data) * at)]


def flip_bytes(data: bytes, positions: list[int]) -> bytes:
    out = bytearray(data)
    for p in positions:
        if out:
            out[p % len(out)] ^= 1 << (p % 8)
    return bytes(out)


def shuffle_lines(data: bytes, seed: int) -> bytes:
    lines = data.split(b"\n")
    random.Random(seed).shuffle(lines)
    return b"\n".join(lines)


def reencode(data: bytes, codec: str) -> bytes:
    return data.decode("utf-8", "replace").encode(codec, "replace")


def giant_line(data: bytes, at: float, size: int) -> bytes:
    lines = data.split(b"\n")
    i = int(len(lines) * at) % len(lines)
    lines[i] = (lines[i] or b"|") * max(1, size // max(1, len(lines[i])))
    return b"\n".join(lines)


def insert_garbage(data: bytes, at: float, garbage: bytes) -> bytes:
    i = int(len(data) * at)
    return data[:i] + garbage + data[i:]


def mutate(data: bytes, ops: list[tuple], rng_seed: int = 0) -> bytes:
    for op, a, b in ops:
        if op == "truncate":
            data = truncate(data, a)
        elif op == "flip":
            data = flip_bytes(data, b)
        elif op == "shuffle":
            data = shuffle_lines(data, rng_seed)
        elif op == "reencode":
            data = reencode(data, b)
        elif op == "giant_line":
            data = giant_line(data, a, b)
        elif op == "garbage":
            data = insert_garbage(data, a, b)
        elif op == "repeat":
            data = data * b
    return data


fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
operations = st.one_of(
    st.tuples(st.just("truncate"), fractions, st.none()),
    st.tuples(st.just("flip"), st.none(), st.lists(st.integers(0, 10**6), min_size=1, max_size=40)),
    st.tuples(st.just("shuffle"), st.none(), st.none()),
    st.tuples(st.just("reencode"), st.none(), st.sampled_from(WRONG_CODECS)),
    st.tuples(st.just("giant_line"), fractions, st.integers(1_000, 200_000)),
    st.tuples(st.just("garbage"), fractions, st.binary(min_size=1, max_size=2_000)),
    st.tuples(st.just("repeat"), st.none(), st.integers(2, 4)),
)
