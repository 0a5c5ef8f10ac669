"""Timing and accuracy of the run-together solver (pipeline.runtogether) on synthetic crawled tables.

    .venv/bin/python benchmarks/bench_runtogether.py [tables_per_profile]

Generates application tables of both templates that satisfy A1–A3, prints them the way a crawler does
(label + one digit run per row, no delimiters), reads them back through pipeline.runtogether.locate and solves them.
Reports CPU milliseconds per table (process time: the machine may be shared) and, per cell, how many
were decided and how many of those are right.
A timing, not a test: the test suite asserts correctness only (tests/pipeline/runtogether/).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.runtogether.locate import application_runs, find_tables, pairs
from pipeline.runtogether.solve import solve_applications, solve_review
from pipeline.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, OUTCOME_ROWS

LABEL = {
    "new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三、本年度办理结果(一)予以公开", "partially_granted": "(二)部分公开",
    "denied_state_secret": "(三)不予公开1.属于国家秘密", "unable_no_info": "(四)无法提供1.本机关不掌握相关政府信息",
    "not_processed_complaint": "(五)不予处理1.信访举报投诉类申请", "other_processing": "(六)其他处理",
    "other_overdue_correction": "(六)其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3.其他", "total": "(七)总计", "carried_forward": "四、结转下年度继续办理",
}
SUB = {  # the remaining sub-rows, by their list number inside the group
    "denied_law_forbidden": "2.其他法律行政法规禁止公开", "denied_security_stability": "3.危及“三安全一稳定”",
    "denied_third_party_rights": "4.保护第三方合法权益", "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_info": "6.属于四类过程性信息", "denied_enforcement_file": "7.属于行政执法案卷",
    "denied_admin_query": "8.属于行政查询事项", "unable_need_creation": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确", "not_processed_repeat": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物", "not_processed_massive": "4.无正当理由大量反复申请",
    "not_processed_confirm": "5.要求行政机关确认或重新出具已获取信息",
}
PROFILES = {  # probability a cell is 0, then the value ranges drawn from
    "small (mostly 0-9)": (0.75, ((1, 9),)),
    "mixed (to 999)": (0.55, ((1, 9), (1, 9), (10, 99), (100, 999))),
    "large (to 9999)": (0.4, ((1, 99), (100, 999), (1000, 9999))),
}


def make_table(template: str, rng: random.Random, zero: float, ranges) -> dict[str, tuple[int, ...]]:
    def cell() -> int:
        return 0 if rng.random() < zero else rng.randint(*rng.choice(ranges))

    def row(six: list[int]) -> tuple[int, ...]:
        return (*six, sum(six))

    t = {r: row([cell() if rng.random() < 0.5 else 0 for _ in range(6)]) for r in OUTCOME_ROWS[template]}
    total = [sum(t[r][c] for r in OUTCOME_ROWS[template]) for c in range(6)]
    fwd = [cell() for _ in range(6)]
    over = [rng.randint(0, total[c] + fwd[c]) if rng.random() < 0.5 else 0 for c in range(6)]
    t.update(total=row(total), carried_forward=row(fwd), carried_over=row(over),
             new_received=row([total[c] + fwd[c] - over[c] for c in range(6)]))
    return {r.key: t[r.key] for r in APPLICATION_ROWS[template]}


def crawl(table: dict[str, tuple[int, ...]]) -> list[str]:
    """The section as a crawler leaves it: header, then every row glued into one line."""
    return ["三、收到和处理政府信息公开申请情况",
            "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他",
            "".join(LABEL.get(r, SUB.get(r, r)) + "".join(map(str, v)) for r, v in table.items())]


def main(n: int) -> None:
    rng = random.Random(8)
    print(f"{'template':8} {'profile':20} {'tables':>6} {'read ms':>8} {'solve ms':>9} {'p95 ms':>7} {'max ms':>7} "
          f"{'decided':>8} {'correct':>8} {'ambiguous rows':>14}")
    for template in ("2019", "2021"):
        for name, (zero, ranges) in PROFILES.items():
            times: list[float] = []
            reading: list[float] = []
            decided = right = cells = amb = 0
            for _ in range(n):
                truth = make_table(template, rng, zero, ranges)
                lines = crawl(truth)
                t0 = time.process_time()
                table = find_tables(pairs(lines))["applications"]
                application_runs(table, template)
                runs = table.run_map()
                t1 = time.process_time()
                sol = solve_applications(runs, template)
                times.append((time.process_time() - t1) * 1000)
                reading.append((t1 - t0) * 1000)
                cells += len(truth) * len(APPLICATION_COLUMNS)
                amb += len(sol.ambiguous)
                for (row, col), v in sol.cells.items():
                    decided += 1
                    right += v == truth[row][APPLICATION_COLUMNS.index(col)]
            times.sort()
            print(f"{template:8} {name:20} {n:6} {statistics.mean(reading):8.2f} {statistics.mean(times):9.2f} "
                  f"{times[int(0.95 * (n - 1))]:7.2f} "
                  f"{times[-1]:7.2f} {decided / cells:8.1%} {right / max(decided, 1):8.1%} {amb:14}")
    times = []
    for _ in range(n):
        row = []
        for _ in range(3):
            parts = [rng.choice((0, 0, 1, 3, 12, 40)) for _ in range(4)]
            row += [*parts, sum(parts)]
        t0 = time.process_time()
        solve_review("".join(map(str, row)))
        times.append((time.process_time() - t0) * 1000)
    print(f"review row (15 cells): {statistics.mean(times):.2f} ms mean, {max(times):.2f} ms max over {n} rows")


if __name__ == "__main__":
    import argparse

    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("n", nargs="?", type=int, default=200, help="rows per kind (default 200)")
    main(cli.parse_args().n)
