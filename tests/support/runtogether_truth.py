"""Known truth for the run-together tests (spec §14, issue 8): an independent brute-force splitter, the identity
checks, and synthetic tables (seeded, both templates) that satisfy A1–A3 and R1–R3 by construction."""

from __future__ import annotations

import itertools
import random
import re
from decimal import Decimal

from pipeline.runtogether.splits import sum_splits
from tests.support import variants as V

D = Decimal
Row = tuple[int | None, ...]

# ------------------------------------------------------------------------------------------------
# An independent brute-force splitter and identity checks
# ------------------------------------------------------------------------------------------------

LITERAL_RE = {
    "count": re.compile(r"0|[1-9][0-9]*"),
    "signed_count": re.compile(r"[+-]?(0|[1-9][0-9]*)"),
    "money_yuan": re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?"),
    "money_wan_yuan": re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?"),
}
PLACEHOLDERS = {"-", "--", "—", "——", "–", "/"}


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
                if all(x == "" or x in PLACEHOLDERS or LITERAL_RE[k].fullmatch(x)
                       for x, k in zip(full, kinds, strict=True)):
                    out.append(full)
    return out


def _v(lit: str) -> int:
    return int(lit) if lit and lit not in PLACEHOLDERS else 0


def a3_holds(split) -> bool:
    return split[-1] not in ("",) and split[-1] not in PLACEHOLDERS and sum(_v(x) for x in split[:-1]) == _v(split[-1])


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
    return tuple(None if x == "" or x in PLACEHOLDERS else int(x) for x in split)


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


def assert_matches_truth(sol, truth: dict[str, Row]):
    for (row, col), value in sol.cells.items():
        assert value == dvals(truth[row])[V.APP_COLUMNS.index(col)], (row, col)
    for row, amb in sol.ambiguous.items():
        if amb.count <= len(amb.values):
            assert dvals(truth[row]) in amb.values, row
