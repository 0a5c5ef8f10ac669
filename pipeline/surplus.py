"""A grid row with more values than columns (spec §10.4, §15): the readings its layout allows, and which
one the row's own identity certifies.

Two things make a row print more numbers than it has columns:

* a lost sub-label slot (seed 003): the leading value stands where the label was (`surplus`);
* a number broken inside its cell (`160 0 0 2 0 0 1 62`: 162 printed as `1 62`): two neighbouring values
  are one number (`joined`).

Taking the first or the last N values places wrong numbers. A reading is kept unless the row's identity
(A3 for an application row, R1–R3 for the review row) contradicts it; the row is placed only when the
kept readings all give the same values and either the identity holds on them or the layout allows no
other reading of a single surplus value. Otherwise nothing is placed and the finding lists the readings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.layout import Token
from pipeline.normalize import Value

Check = Callable[[Sequence[Decimal | None]], bool | None]  # True holds, False fails, None not evaluable


@dataclass(frozen=True)
class Reading:
    """One way to read the row's printed values as exactly `width` cells."""

    how: str  # surplus | joined
    tokens: tuple[Token, ...]
    dropped: tuple[Token, ...] = ()  # the surplus values left out

    @property
    def values(self) -> tuple[Decimal | None, ...]:
        return tuple(t.value.value if t.value is not None else None for t in self.tokens)

    def describe(self) -> str:
        return "(" + ", ".join("blank" if v is None else str(v) for v in self.values) + ")"


def _plain(tok: Token) -> bool:
    """A bare non-negative integer as printed: the only kind of value a broken number can be part of."""
    v = tok.value
    return (v is not None and v.value is not None and v.unit is None and not v.signed and not v.is_decimal
            and tok.raw.strip().isdigit())


def _joined(a: Token, b: Token) -> Token | None:
    """The two tokens as one number (`1` `62` → 162), or None when no number is printed that way."""
    if not (_plain(a) and _plain(b)) or a.raw.strip().startswith("0"):
        return None
    digits = a.raw.strip() + b.raw.strip()
    value = Value(Decimal(digits), None, False, False)
    return Token(f"{a.raw.strip()} {b.raw.strip()}", "", "value", value, a.line, a.row)


def readings(values: Sequence[Token], width: int) -> list[Reading]:
    """Every reading of `values` as `width` cells: the leading surplus dropped, or (one too many) two
    neighbours joined into one number."""
    extra = len(values) - width
    if extra <= 0:
        return []
    out = [Reading("surplus", tuple(values[extra:]), tuple(values[:extra]))]
    if extra == 1:
        for i in range(len(values) - 1):
            j = _joined(values[i], values[i + 1])
            if j is not None:
                out.append(Reading("joined", (*values[:i], j, *values[i + 2:])))
    return out


def decide(values: Sequence[Token], width: int, check: Check) -> tuple[Reading | None, list[Reading], str]:
    """(the certain reading or None, the readings the identity does not contradict, why when None)."""
    all_readings = readings(values, width)
    kept = [r for r in all_readings if check(r.values) is not False]
    distinct = {r.values for r in kept}
    if not kept:
        return None, [], "no reading satisfies the row's identity"
    if len(distinct) > 1:
        return None, kept, f"{len(distinct)} readings satisfy the row's identity"
    held = any(check(r.values) for r in kept)
    if held or (len(all_readings) == 1 and len(values) == width + 1):
        return kept[0], kept, ""
    return None, kept, "the row's identity cannot be evaluated (its total is blank) and other readings exist"


def a3(values: Sequence[Decimal | None]) -> bool | None:
    """A3 on one application row: the 总计 equals the six applicant columns (blank operands count 0)."""
    if values[-1] is None:
        return None
    return sum(v or 0 for v in values[:-1]) == values[-1]


def r123(values: Sequence[Decimal | None]) -> bool | None:
    """R1–R3 on the review row: each block of five ends with the total of its first four. True when no
    block fails and one at least holds (a block with a blank total cannot be evaluated)."""
    results = []
    for k in range(0, len(values), 5):
        block = values[k:k + 5]
        results.append(None if block[4] is None else sum(v or 0 for v in block[:4]) == block[4])
    if any(r is False for r in results):
        return False
    return True if any(results) else None
