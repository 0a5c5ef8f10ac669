"""What the identities decide about the splits of run-together rows (pipeline/runtogether/solve.py, spec §7, §14,
issue 8): section 二 rows alone, the application table and the review block.

The truth comes from synthetic tables (tests/support/runtogether_truth.py, seeded, both templates) that satisfy
A1–A3 and R1–R3 by construction; they are printed without delimiters and read back. The table solver is checked
against a brute-force product of the rows' candidates wherever that product is small enough to enumerate.
"""

from __future__ import annotations

import itertools
import random

import pytest

from pipeline.runtogether.pieces import cut_runs
from pipeline.runtogether.solve import CANDIDATE_CAP, solve_applications, solve_plain, solve_review
from pipeline.runtogether.splits import sum_splits
from tests.support import variants as V
from tests.support.runtogether_truth import (
    LITERAL_RE,
    D,
    a3_holds,
    assert_matches_truth,
    dvals,
    make_table,
    naive_splits,
    oracle,
    runs_of,
    vals,
)

# ------------------------------------------------------------------------------------------------
# solve_plain (section 二)
# ------------------------------------------------------------------------------------------------


def test_plain_ambiguous_licensing_row_from_the_issue():
    pieces = cut_runs("行政许可396442278")
    sol = solve_plain(pieces[1].text, ("count", "signed_count", "count"), row="licensing",
                      columns=("prev_year_items", "items_change", "decisions"), table="art20_5")
    assert sol.cells == {}
    amb = sol.ambiguous["licensing"]
    assert amb.count == 28 and len(amb.values) == CANDIDATE_CAP
    assert (D(396), D(442), D(278)) in amb.values
    [note] = sol.notes()
    assert (note.code, note.severity, note.table, note.row) == ("split_ambiguous", "warning", "art20_5", "licensing")
    assert "28 splits" in note.message and "(and 8 more)" in note.message
    assert note.cells == tuple(("art20_5", "licensing", c) for c in ("prev_year_items", "items_change", "decisions"))


def test_plain_unique_and_impossible():
    cols = ("issued", "repealed", "in_force")
    sol = solve_plain("000", ("count",) * 3, row="regulations", columns=cols, table="art20_1")
    assert sol.cells == {("regulations", c): D(0) for c in cols} and sol.notes() == []
    assert solve_plain("693665", ("count",) * 3, row="normative_documents").ambiguous["normative_documents"].count == 10
    sol = solve_plain("12", ("count",) * 3, row="regulations", columns=cols, table="art20_1")
    assert sol.cells == {} and "regulations" in sol.impossible
    assert [n.code for n in sol.notes()] == ["split_impossible"]
    assert solve_plain("9.51", ("money_wan_yuan",), row="admin_fees", columns=("fee_amount_wan_yuan",)).cells == {
        ("admin_fees", "fee_amount_wan_yuan"): D("9.51")}


# ------------------------------------------------------------------------------------------------
# solve_applications
# ------------------------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("profile", ["small", "mixed"])
def test_synthetic_tables_solve_to_the_truth(template, profile):
    determined = cells = checked = 0
    for seed in range(40):
        truth = make_table(template, seed, profile)
        runs = runs_of(truth)
        sol = solve_applications(runs, template)
        assert not sol.inconsistent and not sol.impossible and not sol.fallback and not sol.blanks
        assert sol.identities == ("A3", "A1", "A2")
        assert_matches_truth(sol, truth)
        for row in truth:
            assert (row in sol.ambiguous) != all((row, c) in sol.cells for c in V.APP_COLUMNS)
        expected = oracle(runs, template)
        if expected is not None:
            checked += 1
            for row, viable in expected.items():
                if len(viable) == 1:
                    assert sol.values(row) == dvals(next(iter(viable))), row
                else:
                    assert set(sol.ambiguous[row].values) == {dvals(x) for x in viable}, row
        determined += len(sol.cells)
        cells += len(truth) * 7
    assert checked >= 25  # the brute force covers most tables
    assert determined / cells > 0.9  # and the identities decide nearly every cell


def test_row_ambiguous_alone_is_decided_by_the_table():
    truth = make_table("2021", 0)
    truth = {r: (0,) * 7 for r in truth}
    truth["granted"] = (1, 10, 0, 0, 0, 0, 11)
    truth["partially_granted"] = (2, 0, 0, 0, 0, 0, 2)
    truth["total"] = truth["new_received"] = (3, 10, 0, 0, 0, 0, 13)
    runs = runs_of(truth)
    assert len(sum_splits(runs["granted"], 7).checked) == 2  # 110000011: (1, 10, …) or (11, 0, …)
    sol = solve_applications(runs, "2021")
    assert not sol.ambiguous and not sol.inconsistent
    assert sol.values("granted") == dvals(truth["granted"])
    assert len(sol.cells) == 25 * 7
    assert_matches_truth(sol, truth)


def _swap_table():
    """granted and partially_granted can swap their readings without breaking any identity."""
    truth = {r: (0,) * 7 for r in V.APP_ROWS["2019"]}
    truth["granted"] = (1, 10, 0, 0, 0, 0, 11)
    truth["partially_granted"] = (11, 0, 0, 0, 0, 0, 11)
    truth["total"] = truth["new_received"] = (12, 10, 0, 0, 0, 0, 22)
    return truth


def test_deliberately_ambiguous_rows_are_reported_with_their_candidates():
    truth = _swap_table()
    sol = solve_applications(runs_of(truth), "2019")
    assert not sol.inconsistent
    both = (dvals((1, 10, 0, 0, 0, 0, 11)), dvals((11, 0, 0, 0, 0, 0, 11)))
    assert set(sol.ambiguous) == {"granted", "partially_granted"}
    for row in ("granted", "partially_granted"):
        assert sol.ambiguous[row].values == both and sol.ambiguous[row].count == 2
        assert not any((row, c) in sol.cells for c in V.APP_COLUMNS)
    assert len(sol.cells) == (23 - 2) * 7  # everything else is decided, (七)总计 included
    assert sol.values("total") == dvals((12, 10, 0, 0, 0, 0, 22))
    assert_matches_truth(sol, truth)
    notes = [n for n in sol.notes() if n.code == "split_ambiguous"]
    assert [n.row for n in notes] == ["granted", "partially_granted"]
    assert all(n.severity == "warning" and "(1, 10, 0, 0, 0, 0, 11); (11, 0, 0, 0, 0, 0, 11)" in n.message
               for n in notes)
    assert oracle(runs_of(truth), "2019")["granted"] == {(1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)}


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_source_inconsistent_total_falls_back_to_unique_a3_splits(template):
    truth = make_table(template, 5, "mixed")
    printed = dict(truth)
    t = list(printed["total"])
    t[0] += 1
    t[6] += 1  # A3 still holds on the row; A1 and A2 fail in natural_person
    printed["total"] = tuple(t)
    runs = runs_of(printed)
    sol = solve_applications(runs, template)
    assert sol.inconsistent and not sol.impossible
    for row, run in runs.items():
        a3 = sum_splits(run, 7).checked
        if len(a3) == 1:
            assert sol.values(row) == dvals(printed[row]) and row in sol.fallback
            assert "only A3-consistent split" in sol.fallback[row]
        else:
            assert row not in sol.fallback and set(sol.ambiguous[row].values) == {dvals(vals(s)) for s in a3}
    codes = {n.code for n in sol.notes()}
    assert "split_fallback" in codes and codes <= {"split_fallback", "split_ambiguous"}


def test_row_breaking_a3_is_impossible_and_the_rest_falls_back():
    truth = {r: (0,) * 7 for r in V.APP_ROWS["2021"]}
    truth["granted"] = (5, 0, 0, 0, 0, 0, 5)
    truth["total"] = truth["new_received"] = (5, 0, 0, 0, 0, 0, 5)
    printed = {**truth, "granted": (5, 0, 0, 0, 0, 0, 6)}
    sol = solve_applications(runs_of(printed), "2021")
    assert sol.inconsistent
    assert set(sol.impossible) == {"granted"}
    reason = sol.impossible["granted"]
    assert "no split into 7 cells satisfies A3" in reason and "1 reading(s) with a missing cell" in reason
    assert "only A1 alone" in reason  # (50, 0, 0, 0, 0, 6, blank) breaks A2, A1 can hold
    assert set(sol.fallback) == set(truth) - {"granted"}
    assert {(r, c) for r, c in sol.cells} == {(r, c) for r in truth if r != "granted" for c in V.APP_COLUMNS}
    assert_matches_truth(sol, truth)
    [imp] = [n for n in sol.notes() if n.code == "split_impossible"]
    assert (imp.severity, imp.row) == ("error", "granted")


def test_blank_total_is_found_by_the_table():
    truth = {r: (0,) * 7 for r in V.APP_ROWS["2021"]}
    truth["granted"] = (3, 0, 0, 0, 0, 0, None)  # 总计 left blank: the run has six digits
    truth["total"] = truth["new_received"] = (3, 0, 0, 0, 0, 0, 3)
    runs = runs_of(truth)
    assert runs["granted"] == "300000"
    sol = solve_applications(runs, "2021")
    assert not sol.inconsistent and not sol.ambiguous
    assert sol.values("granted") == dvals(truth["granted"]) and sol.raw[("granted", "total")] == ""
    assert "total" in sol.blanks["granted"]
    assert_matches_truth(sol, truth)
    assert [n.code for n in sol.notes()] == ["split_blank_inferred"]
    # without blank readings the row cannot be split, so the table cannot be solved as a whole
    strict = solve_applications(runs, "2021", max_blanks=0)
    assert strict.inconsistent and "fewer digits than cells" in strict.impossible["granted"]
    assert set(strict.fallback) == set(truth) - {"granted"}


def test_blank_in_an_applicant_column_is_ambiguous_about_where():
    truth = {r: (0,) * 7 for r in V.APP_ROWS["2019"]}
    truth["granted"] = (3, None, 0, 0, 0, 0, 3)
    truth["total"] = truth["new_received"] = (3, 0, 0, 0, 0, 0, 3)
    sol = solve_applications(runs_of(truth), "2019")
    assert not sol.inconsistent and set(sol.ambiguous) == {"granted"}
    amb = sol.ambiguous["granted"]
    expected = {dvals(tuple(None if i == k else (3 if i in (0, 6) else 0) for i in range(7))) for k in range(1, 6)}
    assert amb.count == 5 and set(amb.values) == expected


def test_printed_placeholder_total_is_a_cell_of_its_own():
    truth = {r: (0,) * 7 for r in V.APP_ROWS["2019"]}
    truth["granted"] = (3, 0, 0, 0, 0, 0, None)
    truth["total"] = truth["new_received"] = (3, 0, 0, 0, 0, 0, 3)
    runs = {**runs_of(truth), "granted": "300000-"}  # 总计 printed as `-`: not missing, so no blank reading
    sol = solve_applications(runs, "2019")
    assert not sol.inconsistent and not sol.blanks and sol.notes() == []
    assert sol.values("granted") == dvals(truth["granted"]) and sol.raw[("granted", "total")] == "-"


def test_too_many_blank_readings_decide_nothing():
    run = "1234567891234567891234"  # no complete A3 split; 20 349 readings with a blank total
    assert not sum_splits(run, 7).checked and sum_splits(run, 7, 1).unchecked_count > 5000
    sol = solve_applications({**runs_of({r: (0,) * 7 for r in V.APP_ROWS["2019"]}), "granted": run}, "2019")
    assert "granted" in sol.impossible and "too many to weigh" in sol.impossible["granted"]
    assert sol.values("granted") is None


def test_missing_rows_drop_the_identities_they_feed():
    truth = make_table("2019", 2)
    runs = runs_of(truth)
    del runs["other_processing"]
    sol = solve_applications(runs, "2019")
    assert sol.identities == ("A3", "A1")
    assert_matches_truth(sol, truth)
    for row in V.OUTCOME_ROWS["2019"]:
        if row in runs and len(sum_splits(runs[row], 7).checked) == 1:
            assert sol.values(row) == dvals(truth[row])
    with pytest.raises(ValueError):
        solve_applications({"no_such_row": "0000000"}, "2019")


def test_single_row_from_the_issue():
    sol = solve_applications({"new_received": "120000012"}, "2021")
    assert sol.values("new_received") == dvals((12, 0, 0, 0, 0, 0, 12))
    assert sol.identities == ("A3",) and sol.notes() == []


# ------------------------------------------------------------------------------------------------
# solve_review
# ------------------------------------------------------------------------------------------------


def _review_truth(seed: int) -> tuple[int, ...]:
    rng = random.Random(seed)
    out: list[int] = []
    for _ in range(3):
        parts = [rng.choice((0, 0, 0, 1, 2, 3, 12)) for _ in range(4)]
        out += [*parts, sum(parts)]
    return tuple(out)


def _review_oracle(run: str) -> list[tuple[int, ...]]:
    """Brute force over the two block boundaries, then over each block's 5-cell splits."""
    blocks: dict[str, list[tuple[str, ...]]] = {}

    def block(part: str) -> list[tuple[str, ...]]:
        # the total is a suffix; no operand can be longer than it (they are at most the total)
        if part not in blocks:
            found = []
            for k in range(1, len(part)):
                head, total = part[:k], part[k:]
                if LITERAL_RE["count"].fullmatch(total) and len(head) <= 4 * len(total):
                    found += [(*ops, total) for ops in naive_splits(head, ("count",) * 4)
                              if a3_holds((*ops, total))]
            blocks[part] = found
        return blocks[part]

    out = []
    for i, j in itertools.combinations(range(1, len(run)), 2):
        for a, b, c in itertools.product(block(run[:i]), block(run[i:j]), block(run[j:])):
            out.append(vals(a + b + c))
    return out


@pytest.mark.integration
def test_review_synthetic_rows_match_brute_force():
    for seed in range(25):
        truth = _review_truth(seed)
        run = "".join(map(str, truth))
        sol = solve_review(run)
        viable = _review_oracle(run)
        assert truth in viable and not sol.inconsistent
        for i, (unit, _) in enumerate((("review", 0), ("litigation_direct", 1), ("litigation_after_review", 2))):
            blocks = {v[5 * i : 5 * i + 5] for v in viable}
            if len(blocks) == 1:
                assert sol.values(unit) == dvals(truth[5 * i : 5 * i + 5])
            else:
                assert set(sol.ambiguous[unit].values) == {dvals(b) for b in blocks}


def test_review_shanghai_style_row_with_placeholders():
    sol = solve_review("5--278--19-----")
    assert sol.values("review") == dvals((5, None, None, 2, 7))
    assert sol.values("litigation_direct") == dvals((8, None, None, 1, 9))
    assert sol.values("litigation_after_review") == (None,) * 5


def test_review_ambiguous_block():
    sol = solve_review("1100011" + "0" * 10)
    assert set(sol.ambiguous) == {"review"}
    assert sol.ambiguous["review"].values == (dvals((1, 10, 0, 0, 11)), dvals((11, 0, 0, 0, 11)))
    assert sol.values("litigation_direct") == dvals((0,) * 5) == sol.values("litigation_after_review")
    assert len(_review_oracle("1100011" + "0" * 10)) == 2


def test_review_inconsistent_row_falls_back():
    sol = solve_review("000002000300000")  # R2 broken at the source: 2 + 0 + 0 + 0 ≠ 3
    assert sol.inconsistent
    assert set(sol.fallback) == {"review", "litigation_direct", "litigation_after_review"}
    assert sol.values("litigation_direct") == dvals((2, 0, 0, 0, 3))
    assert "only with R2 set aside" in sol.fallback["litigation_direct"]
    assert {n.code for n in sol.notes()} == {"split_fallback"}
    bad = solve_review("123")
    assert set(bad.impossible) == {"review", "litigation_direct", "litigation_after_review"} and not bad.cells


def test_review_block_with_a_blank_total_over_a_long_run_decides_nothing():
    # A `-` total over 35 digits: four numbers of at most 15 digits (MAX_DIGITS) cover them in 2,132 ways,
    # none of which R1 can check. The block is left out with its candidates; the other two are certain.
    sol = solve_review("12345678912345678912345678912345678-" + "0" * 10)
    assert set(sol.ambiguous) == {"review"} and sol.ambiguous["review"].count == 2132
    assert not any(column.startswith("review_") for _, column in sol.cells)
    assert sol.values("litigation_direct") == dvals((0, 0, 0, 0, 0))


def test_a_run_longer_than_any_row_is_not_split():
    run = "7" * 3_000_000  # a page's digits on one line: no split exists, and none is searched for
    sol = solve_review(run)
    assert set(sol.impossible) == {"review", "litigation_direct", "litigation_after_review"} and not sol.cells
    assert "more than any row of 15 cells can have" in sol.impossible["review"]
    sol = solve_applications({"granted": run, "total": "0000000"}, "2021")
    assert "granted" in sol.impossible and sol.values("total") == dvals((0,) * 7)
    assert "not split" in solve_plain(run, ("count",) * 3, row="regulations").impossible["regulations"]


