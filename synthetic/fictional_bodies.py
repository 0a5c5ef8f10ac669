"""Sample reports of two fictional bodies, 2019–2025, in both formats: what `make run` shows analysts.

The five seed reports in data/raw/ are one report per body and mostly zeros, so on their own no cross-year
mart has a pair of years. These files add two bodies of a fictional county (青岚县: no such county exists, so
no number here can be mistaken for a real body's) with realistic, non-zero numbers that move from year to
year, so that every example of docs/analyst-guide.md returns rows that tell something:

* 青岚县云溪镇人民政府: 2019–2025, the 2019 format up to 2020 and the 2021 format from 2021; its 2020 report
  prints the short name 云溪镇 (the body rule joins the two).
* 青岚县白鹭街道办事处: 2019–2024, the 2019 format up to 2021 (a body may keep the old template) and the 2021
  format from 2022. Its 2023 report prints two more new applications than it accounts for (A1 fails, as in
  real reports), and its 2024 report carries over one application more than its 2023 report carried forward (the
  continuity check fails).

Every other identity holds (A1–A3, R1–R3, carried-over continuity, 现行有效件数 balance). The numbers come
from a fixed random source, so `make samples` (`python -m synthetic.fictional_bodies`) writes the same
bytes every time; the files are committed, and tests/assets/test_analyst_tools.py keeps them equal to this module.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

from pipeline.templates import APPLICANT_COLUMNS, APPLICATION_ROWS, OUTCOME_ROWS
from synthetic.corpus import SynthReport, document, make_values, render

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
PREFIX = "fictional_"  # every file this module writes starts with it (and only these)

Values = dict[tuple[str, str, str], int | float | None]


@dataclass(frozen=True)
class Body:
    """A fictional body: its names per year, its first 2021-format year, its size and its growth."""

    slug: str
    name: str
    years: range
    first_2021_format: int
    base_applications: int  # new applications from natural persons in the first year
    growth: float  # per year
    short_names: dict[int, str]  # year → the name printed that year instead of `name`
    layouts: tuple[str, ...]  # cycled over the years: the text layouts real reports come in
    a1_break: int | None = None  # the year whose report prints 2 new applications too many
    continuity_break: int | None = None  # the year whose carried-over count is 1 over last year's


BODIES = (
    Body("yunxi-zhen", "青岚县云溪镇人民政府", range(2019, 2026), 2021, 36, 0.12, {2020: "云溪镇"},
         ("pipe", "markdown", "tab")),
    Body("bailu-jiedao", "青岚县白鹭街道办事处", range(2019, 2025), 2022, 58, -0.06, {},
         ("markdown", "tab", "pipe"), a1_break=2023, continuity_break=2024),
)

# Shares of an applicant column's decided applications per outcome (the rest are granted).
OUTCOME_SHARES = {
    "partially_granted": 0.12, "denied_state_secret": 0.01, "denied_third_party_rights": 0.02,
    "denied_process_info": 0.03, "unable_no_info": 0.08, "unable_need_creation": 0.02, "unable_unclear": 0.02,
    "not_processed_repeat": 0.02, "other_processing": 0.03, "other_overdue_correction": 0.02,
    "other_other": 0.01,
}
LEGAL_PERSON_SHARE = {"commercial_enterprise": 0.22, "research_institution": 0.03, "social_welfare_org": 0.04,
                      "legal_service_org": 0.08, "other_org": 0.05}


def template_of(body: Body, year: int) -> str:
    return "2021" if year >= body.first_2021_format else "2019"


def applications(body: Body, year: int, template: str, carried_over: dict[str, int],
                 rng: random.Random) -> Values:
    """Table 三 for one year: outcomes per applicant column, then A2, A1 and A3 by construction."""
    scale = (1 + body.growth) ** (year - body.years.start)
    values: Values = {}
    outcomes = OUTCOME_ROWS[template]
    for column in APPLICANT_COLUMNS:
        share = 1.0 if column == "natural_person" else LEGAL_PERSON_SHARE[column]
        decided = max(0, round(body.base_applications * scale * share * rng.uniform(0.85, 1.15)))
        counts = {row: 0 for row in outcomes}
        for row, part in OUTCOME_SHARES.items():
            if row in counts:
                counts[row] = round(decided * part * rng.uniform(0.5, 1.5))
        counts["granted"] = max(0, decided - sum(counts.values()))
        for row, v in counts.items():
            values[("applications", row, column)] = v
        total = sum(counts.values())  # A2
        forward = rng.randint(0, 3) if column in ("natural_person", "commercial_enterprise") else 0
        values[("applications", "total", column)] = total
        values[("applications", "carried_over", column)] = carried_over.get(column, 0)
        values[("applications", "carried_forward", column)] = forward
        values[("applications", "new_received", column)] = total + forward - carried_over.get(column, 0)  # A1
    if year == body.a1_break:
        values[("applications", "new_received", "natural_person")] += 2
    for row in APPLICATION_ROWS[template]:
        values[("applications", row.key, "total")] = sum(values[("applications", row.key, c)]
                                                         for c in APPLICANT_COLUMNS)  # A3
    return values


def section_two(body: Body, year: int, template: str, in_force: dict[str, int], rng: random.Random) -> Values:
    """Section 二 with numbers that move: 现行有效件数 balances year to year in the 2021 format."""
    scale = (1 + body.growth) ** (year - body.years.start)
    values: Values = {}
    for item, stock in (("regulations", 6), ("normative_documents", 24)):
        if template == "2021":
            issued, repealed = rng.randint(1, 4), rng.randint(0, 2)
            in_force[item] = in_force.get(item, stock) + issued - repealed
            values |= {("art20_1", item, "issued"): issued, ("art20_1", item, "repealed"): repealed,
                       ("art20_1", item, "in_force"): in_force[item]}
        else:
            made = rng.randint(1, 4)
            values |= {("art20_1", item, "new_made"): made, ("art20_1", item, "new_published"): made,
                       ("art20_1", item, "total_published"): stock + made * (year - 2017)}
    values[("art20_5", "licensing", "decisions")] = round(310 * scale * rng.uniform(0.9, 1.1))
    values[("art20_6", "penalty", "decisions")] = round(42 * scale * rng.uniform(0.8, 1.2))
    values[("art20_6", "coercion", "decisions")] = rng.randint(0, 6)
    if template == "2021":
        values[("art20_8", "admin_fees", "fee_amount_wan_yuan")] = round(rng.uniform(20, 160), 4)
    else:
        values[("art20_9", "central_procurement", "procurement_projects")] = rng.randint(4, 18)
        values[("art20_9", "central_procurement", "procurement_amount")] = round(rng.uniform(2e5, 4e6), 2)
    return values


def reviews(rng: random.Random) -> Values:
    """Table 四: a few reviews and suits, each block's total its parts' sum (R1–R3)."""
    values: Values = {}
    for block in ("review", "litigation_direct", "litigation_after_review"):
        parts = [rng.randint(0, 3), rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 1)]
        for outcome, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            values[("review_litigation", "cases", f"{block}_{outcome}")] = v
        values[("review_litigation", "cases", f"{block}_total")] = sum(parts)
    return values


def reports(body: Body) -> list[tuple[str, str]]:
    """(file name, text) of each year's report of `body`, in year order (each year builds on the last)."""
    out = []
    carried: dict[str, int] = {}
    in_force: dict[str, int] = {}
    for i, year in enumerate(body.years):
        rng = random.Random(f"{body.slug}:{year}")
        template = template_of(body, year)
        if year == body.continuity_break:
            carried = {**carried, "natural_person": carried.get("natural_person", 0) + 1}
        values = make_values(template, rng)  # every cell of the template, then the tables set here
        values |= applications(body, year, template, carried, rng)
        values |= section_two(body, year, template, in_force, rng)
        values |= reviews(rng)
        carried = {c: int(values[("applications", "carried_forward", c)]) for c in APPLICANT_COLUMNS}
        layout = body.layouts[i % len(body.layouts)]
        name = f"{PREFIX}{year}_{body.slug}.txt"
        report = SynthReport(name, template, layout, "utf-8", body.short_names.get(year, body.name), year,
                             f"{year + 1}-01-{15 + i}", values)
        out.append((name, render(document(report, rng), layout)))
    return out


def sample_files() -> dict[str, str]:
    """Every sample file this module writes: name → text."""
    return {name: text for body in BODIES for name, text in reports(body)}


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m synthetic.fictional_bodies", description=__doc__.split("\n\n")[0])
    cli.add_argument("--out", type=Path, default=RAW, help=f"folder to write to (default {RAW})")
    args = cli.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    files = sample_files()
    for stale in args.out.glob(f"{PREFIX}*"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} sample reports of fictional bodies to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
