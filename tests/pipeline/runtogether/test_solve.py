"""Run-together crawled cells (spec §14, issue 8): cutting, splitting, and solving with the identities.

The truth comes from synthetic tables generated here (seeded, both templates) that satisfy A1–A3 and
R1–R3 by construction; they are printed without delimiters and read back. Splits and sums are checked
against a brute-force enumerator written independently below, and the table solver against a brute-force
product of the rows' candidates wherever that product is small enough to enumerate.
"""

from __future__ import annotations

import itertools
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.layout import text_grid
from pipeline.runtogether import RunTogetherTables, glued_rows
from pipeline.runtogether.locate import (
    APPLICATIONS,
    REVIEW,
    application_runs,
    application_template,
    disclosure_runs,
    find_tables,
    pairs,
    review_run,
)
from pipeline.runtogether.pieces import cut_runs
from pipeline.runtogether.solve import CANDIDATE_CAP, solve_applications, solve_plain, solve_review
from pipeline.runtogether.splits import count_splits, split_literals, splits, sum_splits
from tests.support import variants as V

D = Decimal
Row = tuple[int | None, ...]

# ------------------------------------------------------------------------------------------------
# An independent brute-force splitter and identity checks
# ------------------------------------------------------------------------------------------------

_RE = {
    "count": re.compile(r"0|[1-9][0-9]*"),
    "signed_count": re.compile(r"[+-]?(0|[1-9][0-9]*)"),
    "money_yuan": re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?"),
    "money_wan_yuan": re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?"),
}
_PH = {"-", "--", "—", "——", "–", "/"}


def _chunk_pieces(chunk: str, k: int):
    for cuts in itertools.combinations(range(1, len(chunk)), k - 1):
        bounds = (0, *cuts, len(chunk))
        yield tuple(chunk[a:b] for a, b in itertools.pairwise(bounds))


def _literal_seqs(chunks: list[str], n: int):
    if not chunks:
        if n == 0:
            yield ()
        return
    for k in range(1, min(n, len(chunks[0])) + 1):
        for head in _chunk_pieces(chunks[0], k):
            for tail in _literal_seqs(chunks[1:], n - k):
                yield head + tail


def naive_splits(run: str, kinds, max_blanks: int = 0) -> list[tuple[str, ...]]:
    chunks = [c for c in run.split(" ") if c]
    out = []
    for m in range(max_blanks + 1):
        for seq in _literal_seqs(chunks, len(kinds) - m):
            for holes in itertools.combinations(range(len(kinds)), m):
                it = iter(seq)
                full = tuple("" if i in holes else next(it) for i in range(len(kinds)))
                if all(x == "" or x in _PH or _RE[k].fullmatch(x) for x, k in zip(full, kinds, strict=True)):
                    out.append(full)
    return out


def _v(lit: str) -> int:
    return int(lit) if lit and lit not in _PH else 0


def a3_holds(split) -> bool:
    return split[-1] not in ("",) and split[-1] not in _PH and sum(_v(x) for x in split[:-1]) == _v(split[-1])


def table_holds(values: dict[str, Row], template: str) -> bool:
    """A1 and A2 on the six applicant columns (None counts 0), written from the spec, not the module."""
    for c in range(6):
        col = {r: (v[c] or 0) for r, v in values.items()}
        if col["new_received"] + col["carried_over"] != col["total"] + col["carried_forward"]:
            return False
        if col["total"] != sum(col[r] for r in V.OUTCOME_ROWS[template]):
            return False
    return True


def vals(split) -> Row:
    return tuple(None if x == "" or x in _PH else int(x) for x in split)


def dvals(row: Row) -> tuple:
    return tuple(None if x is None else D(x) for x in row)


# ------------------------------------------------------------------------------------------------
# Synthetic tables
# ------------------------------------------------------------------------------------------------


def _cell(rng: random.Random, profile: str) -> int:
    if rng.random() < (0.75 if profile == "small" else 0.55):
        return 0
    if profile == "small":
        return rng.randint(1, 9)
    return rng.choice((rng.randint(1, 9), rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999)))


def _row(vals6: list[int]) -> Row:
    return (*vals6, sum(vals6))


def make_table(template: str, seed: int, profile: str = "small") -> dict[str, Row]:
    """A table that satisfies A1, A2 and A3 exactly."""
    rng = random.Random(f"{template}-{seed}-{profile}")
    table: dict[str, Row] = {}
    for r in V.OUTCOME_ROWS[template]:
        table[r] = _row([_cell(rng, profile) if rng.random() < 0.5 else 0 for _ in range(6)])
    total = [sum(table[r][c] for r in V.OUTCOME_ROWS[template]) for c in range(6)]
    forward = [_cell(rng, profile) for _ in range(6)]
    over = [rng.randint(0, total[c] + forward[c]) if rng.random() < 0.5 else 0 for c in range(6)]
    table["total"] = _row(total)
    table["carried_forward"] = _row(forward)
    table["carried_over"] = _row(over)
    table["new_received"] = _row([total[c] + forward[c] - over[c] for c in range(6)])
    return {r: table[r] for r in V.APP_ROWS[template]}


def runs_of(table: dict[str, Row]) -> dict[str, str]:
    return {r: "".join("" if v is None else str(v) for v in row) for r, row in table.items()}


def a3_candidates(run: str) -> list[tuple[str, ...]]:
    """A row's A3-consistent splits by brute force (long runs: by sum_splits, itself checked against the
    brute force in test_sum_splits_match_brute_force, to keep the suite fast)."""
    if len(run) <= 14:
        return [s for s in naive_splits(run, ("count",) * 7) if a3_holds(s)]
    return list(sum_splits(run, 7).checked)


def oracle(runs: dict[str, str], template: str, limit: int = 5_000) -> dict[str, set] | None:
    """Brute force: the A3-consistent splits of every row, combined by product, kept if A1 and A2 hold."""
    cands = {r: a3_candidates(run) for r, run in runs.items()}
    fixed = {r: c[0] for r, c in cands.items() if len(c) == 1}
    loose = [r for r, c in cands.items() if len(c) > 1]
    size = 1
    for r in loose:
        size *= len(cands[r])
    if size > limit or any(not c for c in cands.values()):
        return None
    viable: dict[str, set] = {r: set() for r in runs}
    for combo in itertools.product(*(cands[r] for r in loose)):
        chosen = {**fixed, **dict(zip(loose, combo, strict=True))}
        if table_holds({r: vals(s) for r, s in chosen.items()}, template):
            for r, s in chosen.items():
                viable[r].add(vals(s))
    return viable


# ------------------------------------------------------------------------------------------------
# cut_runs
# ------------------------------------------------------------------------------------------------


def _kinds_texts(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in cut_runs(text)]


def test_cut_section_two_row_pairs():
    assert _kinds_texts("规章000行政规范性文件693665") == [
        ("label", "规章"), ("run", "000"), ("label", "行政规范性文件"), ("run", "693665")]
    assert _kinds_texts("行政许可396442278") == [("label", "行政许可"), ("run", "396442278")]


def test_cut_application_row_from_the_issue():
    assert _kinds_texts("一、本年新收政府信息公开申请数量120000012") == [
        ("label", "一、本年新收政府信息公开申请数量"), ("run", "120000012")]


def test_cut_list_number_glued_to_previous_digits():
    pieces = cut_runs("1.属于国家秘密00000002.其他法律行政法规禁止公开0000000")
    assert [(p.kind, p.text) for p in pieces] == [
        ("label", "1.属于国家秘密"), ("run", "0000000"),
        ("label", "2.其他法律行政法规禁止公开"), ("run", "0000000")]
    # `、` numbering and a value ending in the same digit as the next list number
    assert _kinds_texts("2.重复申请0000033、要求提供公开出版物1000001") == [
        ("label", "2.重复申请"), ("run", "000003"), ("label", "3、要求提供公开出版物"), ("run", "1000001")]
    # `0.` is no list number (the tables count from 1): the dot is dropped, the digit stays
    assert _kinds_texts("总计00.其他") == [("label", "总计"), ("run", "00"), ("label", ".其他")]


def test_cut_ordinals_and_parentheses_stay_in_labels():
    text = "三、本年度办理结果(一)予以公开1100002(二)部分公开(区分处理的,只计这一情形,不计其他情形)0000000" \
           "(3)其他0000000四、结转下年度继续办理0000000"
    assert _kinds_texts(text) == [
        ("label", "三、本年度办理结果(一)予以公开"), ("run", "1100002"),
        ("label", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"), ("run", "0000000"),
        ("label", "(3)其他"), ("run", "0000000"),
        ("label", "四、结转下年度继续办理"), ("run", "0000000")]
    assert _kinds_texts("上一年项目数量(指2019年事项数)") == [("label", "上一年项目数量(指2019年事项数)")]
    # prose glued to a value (spec §14): the year belongs to the prose
    assert _kinds_texts("行政事业性收费02025年1月") == [
        ("label", "行政事业性收费"), ("run", "0"), ("label", "2025年1月")]


def test_cut_keeps_raw_slices_of_full_width_text():
    text = "（七）总计１２０００００１２　四、结转"
    pieces = cut_runs(text)
    assert [(p.kind, p.text) for p in pieces] == [("label", "(七)总计"), ("run", "120000012"), ("label", "四、结转")]
    run = pieces[1]
    assert run.raw == "１２０００００１２" and text[run.start : run.end] == run.raw
    assert pieces[0].raw == "（七）总计" and pieces[0].key == "(七)总计"


def test_cut_spaces_signs_decimals_units():
    assert _kinds_texts("(三)不予公开1. 属于国家秘密0 0 0 0 0 0 0 2. 其他") == [
        ("label", "(三)不予公开1. 属于国家秘密"), ("run", "0 0 0 0 0 0 0"), ("label", "2. 其他")]
    assert _kinds_texts("行政处罚2-20行政强制44-") == [
        ("label", "行政处罚"), ("run", "2-20"), ("label", "行政强制"), ("run", "44-")]
    pieces = cut_runs("政府集中采购151596496.16元")
    assert [(p.kind, p.text, p.unit, p.raw) for p in pieces] == [
        ("label", "政府集中采购", None, "政府集中采购"), ("run", "151596496.16", "元", "151596496.16元")]
    assert _kinds_texts("本年增/减") == [("label", "本年增/减")]


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
            assert set(ss.unchecked) == {s for s in brute if s[-1] == "" or s[-1] in _PH}, run
            assert ss.unchecked_count == len(ss.unchecked)


def test_sum_splits_of_a_long_row_prune_by_the_total():
    # 6 × 4-digit values and their total: 29 digits, far too many unconstrained splits to list
    row = (1234, 5678, 9012, 3456, 7890, 1357)
    run = "".join(map(str, (*row, sum(row))))
    assert count_splits(run, ("count",) * 7) > 100_000
    assert sum_splits(run, 7).checked == (tuple(map(str, (*row, sum(row)))),)


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


def assert_matches_truth(sol, truth: dict[str, Row]):
    for (row, col), value in sol.cells.items():
        assert value == dvals(truth[row])[V.APP_COLUMNS.index(col)], (row, col)
    for row, amb in sol.ambiguous.items():
        if amb.count <= len(amb.values):
            assert dvals(truth[row]) in amb.values, row


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
                if _RE["count"].fullmatch(total) and len(head) <= 4 * len(total):
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


# ------------------------------------------------------------------------------------------------
# locate: recognising the layout and finding each row's run
# ------------------------------------------------------------------------------------------------

LABELS = {  # spec §5.3, verbatim (canonical full-width form)
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三、本年度办理结果（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "（三）不予公开1.属于国家秘密",
    "denied_law_forbidden": "2.其他法律行政法规禁止公开",
    "denied_security_stability": "3.危及“三安全一稳定”",
    "denied_third_party_rights": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_info": "6.属于四类过程性信息",
    "denied_enforcement_file": "7.属于行政执法案卷",
    "denied_admin_query": "8.属于行政查询事项",
    "unable_no_info": "（四）无法提供1.本机关不掌握相关政府信息",
    "unable_need_creation": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "not_processed_complaint": "（五）不予处理1.信访举报投诉类申请",
    "not_processed_repeat": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_massive": "4.无正当理由大量反复申请",
    "not_processed_confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other_processing": "（六）其他处理",
    "other_overdue_correction": "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3.其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
HEADER = ("三、收到和处理政府信息公开申请情况",
          "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
          "商业企业科研机构社会公益组织法律服务机构其他")


def crawled_section(truth: dict[str, Row], one_line: bool) -> list[str]:
    rows = [LABELS[r] + "".join("" if v is None else str(v) for v in row) for r, row in truth.items()]
    return [*HEADER, "".join(rows)] if one_line else [*HEADER, *rows]


def is_run_together(lines: list[str]) -> bool:
    return RunTogetherTables.detect(text_grid("\n".join(lines)), lines) is not None


def app_table(lines: list[str], template: str | None = None):
    table = find_tables(pairs(lines))[APPLICATIONS]
    application_runs(table, template or application_template(table))
    return table


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("one_line", [False, True])
def test_crawled_application_section_end_to_end(template, one_line):
    for seed in range(10):
        truth = make_table(template, seed, "mixed")
        lines = crawled_section(truth, one_line)
        assert is_run_together(lines)
        table = find_tables(pairs(lines))[APPLICATIONS]
        assert application_template(table) == template
        application_runs(table, template)
        assert table.run_map() == runs_of(truth)
        assert not table.unmatched and not table.duplicates
        sol = solve_applications(table.run_map(), template)
        assert not sol.inconsistent
        assert_matches_truth(sol, truth)


def test_crawled_rows_wrapped_over_lines_join_with_a_known_cut():
    table = app_table([*HEADER, "一、本年新收政府信息公开申请数量1200", "00012"], "2019")
    assert table.run_map() == {"new_received": "1200 00012"}
    assert solve_applications(table.run_map(), "2019").values("new_received") == dvals((12, 0, 0, 0, 0, 0, 12))
    # a line break is a cell boundary: `1` must be a cell of its own, and then no split satisfies A3
    table = app_table([*HEADER, "一、本年新收政府信息公开申请数量1", "20000012"], "2019")
    sol = solve_applications(table.run_map(), "2019")
    assert sol.values("new_received") is None and "new_received" in sol.impossible


def test_crawled_review_and_disclosure():
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议行政诉讼",
             "结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉",
             "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计",
             "100010000000000"]
    run = review_run(find_tables(pairs(lines))[REVIEW])
    assert run is not None and run.run == "100010000000000" and run.line == 5
    assert solve_review(run.run).values("review") == dvals((1, 0, 0, 0, 1))
    sec2 = ["第二十条第（一）项", "信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件693665",
            "第二十条第（五）项",
            "信息内容上一年项目数量本年增/减处理决定数量行政许可0+88其他对外管理服务事项396442278",
            "第二十条第（八）项", "信息内容本年收费金额（单位：万元）行政事业性收费9.51"]
    tables = find_tables(pairs(sec2))
    for t in tables.values():
        disclosure_runs(t)
    assert {k: t.run_map() for k, t in tables.items()} == {
        "art20_1": {"regulations": "000", "normative_documents": "693665"},
        "art20_5": {"licensing": "0+88", "other_admin_services": "396442278"},
        "art20_8": {"admin_fees": "9.51"},
    }
    assert any("本年增/减" in lab for lab in tables["art20_5"].labels)


def test_one_line_page_tables_found_by_their_headers():
    """A whole page on one line: prose numbers, application rows that look like headings and the real
    section 四 heading glued after `四、结转下年度继续办理…` are told apart by the tables' own headers."""
    truth = make_table("2021", 3, "mixed")
    rows = "".join(LABELS[r] + "".join(str(v) for v in row) for r, row in truth.items())
    page = ("当前位置：首页 政务公开 微信 微博 本报告统计期限为2021年1月1日至12月31日，主动公开政府信息394条。"
            "一、总体情况全年收到申请12件。二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数"
            "现行有效件数规章000行政规范性文件3012第二十条第（五）项信息内容本年处理决定数量行政许可52"
            + "".join(HEADER) + rows
            + " 四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
            "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
            " 0 010 10 0 0 0 0 0 0 0 0 0"
            "五、存在的主要问题及改进情况2022年将加强培训。六、其他需要报告的事项通知收取件数信息处理费收取情况18000")
    tables = find_tables(pairs(["标题: 某局2021年度政府信息公开工作年度报告", "==== 正文 ====", page]))
    assert set(tables) == {"art20_1", "art20_5", APPLICATIONS, REVIEW}
    application_runs(tables[APPLICATIONS], "2021")
    assert tables[APPLICATIONS].run_map() == runs_of(truth)
    assert review_run(tables[REVIEW]).run == "0 010 10 0 0 0 0 0 0 0 0 0"
    disclosure_runs(tables["art20_1"])
    assert tables["art20_1"].run_map() == {"regulations": "000", "normative_documents": "3012"}


def test_rows_printed_without_values_give_their_run_to_the_last_row():
    """（六）2 and 3 printed as labels only (the page merged their cells): the run belongs to （七）总计."""
    lines = [*HEADER, "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请0000000"
             "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请3.其他（七）总计5000005"]
    table = app_table(lines, "2021")
    assert table.run_map() == {"other_overdue_correction": "0000000", "total": "5000005"}
    assert table.unvalued == ["other_overdue_fee", "other_other"]


def test_layout_not_recognised_in_prose():
    prose = ["全年共办理行政许可1234件，行政处罚567件，行政强制890项。", "本年度收到规章备案123份。",
             "行政事业性收费2025年1月起停止征收。", "政府集中采购1596496.16元。"]
    assert glued_rows(text_grid("\n".join(prose))) <= 1 and not is_run_together(prose * 3)


def test_layout_not_recognised_in_the_seeds():
    for path in sorted(Path(V.SEED_DIR).glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert glued_rows(text_grid("\n".join(lines))) == 0 and not is_run_together(lines), path.name
