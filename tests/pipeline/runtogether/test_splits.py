"""Splitting one digit run into cells (pipeline/runtogether/splits.py, spec §14), checked against an independent
brute-force enumerator (tests/support/runtogether_truth.py)."""

from __future__ import annotations

import random

import pytest

from pipeline.runtogether.splits import count_splits, split_literals, splits, sum_splits
from tests.support.runtogether_truth import PLACEHOLDERS, D, a3_holds, naive_splits

# ------------------------------------------------------------------------------------------------
# splits
# ------------------------------------------------------------------------------------------------

SPLIT_CASES = [
    ("000", ("count",) * 3, 0),
    ("396442278", ("count", "signed_count", "count"), 0),
    ("0+88", ("count", "signed_count", "count"), 0),
    ("2-20", ("count", "signed_count", "count"), 0),
    ("44-", ("count", "signed_count", "count"), 0),
    ("151596496.16", ("count", "money_yuan"), 0),
    ("9.5112", ("money_wan_yuan", "count"), 0),
    ("1200 0 0012", ("count",) * 7, 0),
    ("300003", ("count",) * 7, 1),
    ("1010", ("count",) * 3, 2),
    ("0.50", ("money_yuan",), 0),
    ("", ("count",), 1),
]


@pytest.mark.parametrize(("run", "kinds", "blanks"), SPLIT_CASES)
def test_splits_match_brute_force(run, kinds, blanks):
    got = list(split_literals(run, kinds, max_blanks=blanks))
    assert len(got) == len(set(got)), "a split is generated twice"
    assert set(got) == set(naive_splits(run, kinds, blanks))
    assert count_splits(run, kinds, max_blanks=blanks) == len(got)


def test_splits_random_runs_match_brute_force():
    rng = random.Random(8)
    for _ in range(300):
        run = "".join(rng.choice("0001123456789") for _ in range(rng.randint(1, 11)))
        n = rng.randint(1, min(7, len(run) + 1))
        kinds = tuple(rng.choice(("count", "count", "signed_count", "money_yuan")) for _ in range(n))
        blanks = rng.choice((0, 0, 1))
        assert set(split_literals(run, kinds, max_blanks=blanks)) == set(naive_splits(run, kinds, blanks)), run


def test_splits_values_and_kinds():
    assert splits("000", ("count",) * 3) == [(D(0), D(0), D(0))]
    assert splits("0+88", ("count", "signed_count", "count")) == [(D(0), D(8), D(8))]
    assert (D(2), D(-2), D(0)) in splits("2-20", ("count", "signed_count", "count"))
    assert splits("44-", ("count", "count", "count")) == [(D(4), D(4), None)]
    assert splits("9.51", ("money_wan_yuan",)) == [(D("9.51"),)]
    assert splits("9.51", ("count",)) == []
    assert splits("01", ("count",)) == []
    assert count_splits("151596496.16", ("count", "money_yuan")) == 8
    with pytest.raises(ValueError):
        splits("1", ("percent",))


def test_sum_splits_match_brute_force():
    rng = random.Random(3)
    runs = ["120000012", "110000011", "1100011", "5000006", "300003", "300000", "0000000", "1234567891011"]
    runs += ["".join(rng.choice("00123456789") for _ in range(rng.randint(5, 12))) for _ in range(60)]
    for run in runs:
        for blanks in (0, 1):
            ss = sum_splits(run, 7, blanks)
            brute = naive_splits(run, ("count",) * 7, blanks)
            assert set(ss.checked) == {s for s in brute if a3_holds(s)}, run
            assert set(ss.unchecked) == {s for s in brute if s[-1] == "" or s[-1] in PLACEHOLDERS}, run
            assert ss.unchecked_count == len(ss.unchecked)


def test_sum_splits_of_a_long_row_prune_by_the_total():
    # 6 × 4-digit values and their total: 29 digits, far too many unconstrained splits to list
    row = (1234, 5678, 9012, 3456, 7890, 1357)
    run = "".join(map(str, (*row, sum(row))))
    assert count_splits(run, ("count",) * 7) > 100_000
    assert sum_splits(run, 7).checked == (tuple(map(str, (*row, sum(row)))),)
