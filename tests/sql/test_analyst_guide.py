"""Every ```sql example of docs/analyst-guide.md runs against the warehouse built from the sample reports plus the
synthetic multi-year set (tests/support/analyst_warehouse.py), and returns the pinned answer. The guide's indicator
table and the indicators mart define the same indicators."""

from __future__ import annotations

import re

import pytest

from tests.support import PROJECT
from tests.support import analyst_warehouse as aw

# Builds the analyst warehouse through Dagster (tests/support/analyst_warehouse.py).
pytestmark = pytest.mark.integration

GUIDE = PROJECT / "docs" / "analyst-guide.md"
INDICATORS_SQL = PROJECT / "dbt_like_sql" / "marts" / "indicators_by_body_year.sql"
NOT_2021 = "previous year not in the 2021 format (2019 对外公开总数量 is not a stock in force)"

# One entry per ```sql block, in order: (column names, rows). Floats compare to 6 decimals.
EXPECTED: list[tuple[list[str], list[tuple]]] = [
    (  # 1. legal persons 2019 vs 2021
        ["body_name", "legal_persons_2019", "legal_persons_2021"],
        [
            ('青岚县白鹭街道办事处', 28, 20),
            ('青岚县云溪镇人民政府', 17, 19),
            ('万东镇人民政府', 0, 11),
            ('湘乡市东湖街道', None, 8),
            ('北票市长皋乡人民政府', 4, None),
        ],
    ),
    (  # 2. penalties per year per body
        ["body_name", "report_year", "template", "penalty_decisions", "delta", "crosses_formats"],
        [
            ('万东镇人民政府', 2019, '2019', 0, None, None),
            ('万东镇人民政府', 2020, '2019', 12, 12, False),
            ('万东镇人民政府', 2021, '2021', 15, 3, True),
            ('万东镇人民政府', 2022, '2021', 9, -6, False),
            ('东湖街道', 2023, '2021', 0, None, None),
            ('克井镇人民政府', 2023, '2021', 6, None, None),
            ('克井镇人民政府', 2024, '2021', 13, 7, False),
            ('北票市长皋乡人民政府', 2019, '2019', 0, None, None),
            ('北票市长皋乡人民政府', 2024, '2021', 0, None, None),
            ('宁乡市东湖街道', 2022, '2021', 0, None, None),
            ('浈江区花坪镇', 2023, '2019', 5, None, None),
            ('浈江区花坪镇', 2024, '2019', 8, 3, False),
            ('湘乡市东湖街道', 2021, '2021', 8, None, None),
            ('湘乡市东湖街道', 2022, '2021', 0, -8, False),
            ('泉塘镇', 2022, '2019', 4, None, None),
            ('泉塘镇', 2023, '2021', 0, -4, True),
            ('青岚县云溪镇人民政府', 2019, '2019', 35, None, None),
            ('青岚县云溪镇人民政府', 2020, '2019', 49, 14, False),
            ('青岚县云溪镇人民政府', 2021, '2021', 44, -5, True),
            ('青岚县云溪镇人民政府', 2022, '2021', 67, 23, False),
            ('青岚县云溪镇人民政府', 2023, '2021', 58, -9, False),
            ('青岚县云溪镇人民政府', 2024, '2021', 63, 5, False),
            ('青岚县云溪镇人民政府', 2025, '2021', 96, 33, False),
            ('青岚县白鹭街道办事处', 2019, '2019', 40, None, None),
            ('青岚县白鹭街道办事处', 2020, '2019', 35, -5, False),
            ('青岚县白鹭街道办事处', 2021, '2019', 32, -3, False),
            ('青岚县白鹭街道办事处', 2022, '2021', 35, 3, True),
            ('青岚县白鹭街道办事处', 2023, '2021', 38, 3, False),
            ('青岚县白鹭街道办事处', 2024, '2021', 32, -6, False),
        ],
    ),
    (  # 3. A1 failures
        ["organization", "report_year", "applicant_column", "left_value", "right_value"],
        [
            ('浈江区花坪镇', 2023, 'natural_person', 5, 3),
            ('浈江区花坪镇', 2023, 'total', 6, 4),
            ('青岚县白鹭街道办事处', 2023, 'natural_person', 46, 44),
            ('青岚县白鹭街道办事处', 2023, 'total', 65, 63),
        ],
    ),
    (  # 4. last 2019-format vs first 2021-format report of 青岚县云溪镇
        ["canonical_key", "comparability", "year_2019", "value_2019", "year_2021", "value_2021", "difference"],
        [
            ('art20_1.regulations.in_force', 'approx', 2020, 9, 2021, 7, -2),
            ('art20_5.licensing.decisions', 'approx', 2020, 354, 2021, 375, 21),
            ('art20_6.penalty.decisions', 'approx', 2020, 49, 2021, 44, -5),
            ('art20_8.admin_fees.fee_item_count_prev_year', 'none', 2020, 8, None, None, None),
            ('art20_8.admin_fees.fee_amount_wan_yuan', 'none', None, None, 2021, 81.5588, None),
            ('applications.new_received.total', 'exact', 2020, 56, 2021, 60, 4),
            ('applications.granted.total', 'exact', 2020, 36, 2021, 41, 5),
            ('applications.other_processing.total', 'derived', 2020, 2, 2021, 1, -1),
        ],
    ),
    (  # 5. bodies that switched format
        ["body_key", "body_name", "last_2019_format", "first_2021_format"],
        [
            ('万东镇', '万东镇人民政府', 2020, 2021),
            ('北票市长皋乡', '北票市长皋乡人民政府', 2019, 2024),
            ('湘乡市泉塘镇', '泉塘镇', 2022, 2023),
            ('青岚县云溪镇', '青岚县云溪镇人民政府', 2020, 2021),
            ('青岚县白鹭街道办事处', '青岚县白鹭街道办事处', 2021, 2022),
        ],
    ),
    (  # 6. names joined into one body, and the ambiguous one kept apart
        ["body_key", "names", "ambiguous"],
        [
            ('万东镇', '万东镇 / 万东镇人民政府', False),
            ('东湖街道?', '东湖街道', True),
            ('克井镇', '克井镇 / 克井镇人民政府', False),
            ('湘乡市泉塘镇', '泉塘镇 / 湘乡市泉塘镇人民政府', False),
            ('青岚县云溪镇', '云溪镇 / 青岚县云溪镇人民政府', False),
        ],
    ),
    (  # 7. indicators of 青岚县云溪镇: null, not 0, on a zero denominator
        ["report_year", "template", "disclosure_rate", "denied_share", "unable_share", "applications_total",
         "review_correction_rate", "review_decided"],
        [
            (2019, '2019', 0.771, 0.042, 0.146, 48, 0, 4),
            (2020, '2019', 0.786, 0.054, 0.107, 56, None, 0),
            (2021, '2021', 0.817, 0.033, 0.117, 60, 0, 2),
            (2022, '2021', 0.797, 0.043, 0.116, 69, 0, 3),
            (2023, '2021', 0.798, 0.036, 0.131, 84, 0.5, 4),
            (2024, '2021', 0.86, 0.023, 0.081, 86, 0.5, 2),
            (2025, '2021', 0.784, 0.069, 0.118, 102, 0, 1),
        ],
    ),
    (  # 8. carried over vs carried forward last year
        ["body_name", "previous_year", "report_year", "applicant_column", "carried_over",
         "carried_forward_last_year", "difference"],
        [
            ('万东镇人民政府', 2020, 2021, 'natural_person', 4, 3, 1),
            ('万东镇人民政府', 2020, 2021, 'total', 5, 4, 1),
            ('青岚县白鹭街道办事处', 2023, 2024, 'natural_person', 1, 0, 1),
            ('青岚县白鹭街道办事处', 2023, 2024, 'total', 2, 1, 1),
        ],
    ),
    (  # 9. 现行有效件数 balance
        ["body_name", "report_year", "item", "status", "in_force", "in_force_last_year_plus_flows", "note"],
        [
            ('万东镇人民政府', 2021, 'normative_documents', 'not_evaluable', 20, None, NOT_2021),
            ('万东镇人民政府', 2021, 'regulations', 'not_evaluable', 4, None, NOT_2021),
            ('万东镇人民政府', 2022, 'normative_documents', 'fail', 30, 26, None),
            ('万东镇人民政府', 2022, 'regulations', 'pass', 5, 5, None),
            ('克井镇人民政府', 2024, 'normative_documents', 'pass', 0, 0, None),
            ('克井镇人民政府', 2024, 'regulations', 'pass', 0, 0, None),
            ('湘乡市东湖街道', 2022, 'normative_documents', 'fail', 0, -1, None),
            ('湘乡市东湖街道', 2022, 'regulations', 'fail', 0, 3, None),
            ('泉塘镇', 2023, 'normative_documents', 'not_evaluable', 0, None, NOT_2021),
            ('泉塘镇', 2023, 'regulations', 'not_evaluable', 0, None, NOT_2021),
            ('青岚县云溪镇人民政府', 2021, 'normative_documents', 'not_evaluable', 26, None, NOT_2021),
            ('青岚县云溪镇人民政府', 2021, 'regulations', 'not_evaluable', 7, None, NOT_2021),
            ('青岚县云溪镇人民政府', 2022, 'normative_documents', 'pass', 27, 27, None),
            ('青岚县云溪镇人民政府', 2022, 'regulations', 'pass', 9, 9, None),
            ('青岚县云溪镇人民政府', 2023, 'normative_documents', 'pass', 29, 29, None),
            ('青岚县云溪镇人民政府', 2023, 'regulations', 'pass', 9, 9, None),
            ('青岚县云溪镇人民政府', 2024, 'normative_documents', 'pass', 31, 31, None),
            ('青岚县云溪镇人民政府', 2024, 'regulations', 'pass', 8, 8, None),
            ('青岚县云溪镇人民政府', 2025, 'normative_documents', 'pass', 34, 34, None),
            ('青岚县云溪镇人民政府', 2025, 'regulations', 'pass', 8, 8, None),
            ('青岚县白鹭街道办事处', 2022, 'normative_documents', 'not_evaluable', 24, None, NOT_2021),
            ('青岚县白鹭街道办事处', 2022, 'regulations', 'not_evaluable', 6, None, NOT_2021),
            ('青岚县白鹭街道办事处', 2023, 'normative_documents', 'pass', 25, 25, None),
            ('青岚县白鹭街道办事处', 2023, 'regulations', 'pass', 6, 6, None),
            ('青岚县白鹭街道办事处', 2024, 'normative_documents', 'pass', 25, 25, None),
            ('青岚县白鹭街道办事处', 2024, 'regulations', 'pass', 8, 8, None),
        ],
    ),
    (  # 10. new applications year over year
        ["body_name", "previous_year", "report_year", "previous_value", "value", "delta", "crosses_formats",
         "comparability"],
        [
            ('万东镇人民政府', 2019, 2020, 0, 35, 35, False, 'exact'),
            ('万东镇人民政府', 2020, 2021, 35, 37, 2, True, 'exact'),
            ('万东镇人民政府', 2021, 2022, 37, 33, -4, False, 'exact'),
            ('克井镇人民政府', 2023, 2024, 15, 0, -15, False, 'exact'),
            ('浈江区花坪镇', 2023, 2024, 6, 0, -6, False, 'exact'),
            ('湘乡市东湖街道', 2021, 2022, 12, 5, -7, False, 'exact'),
            ('泉塘镇', 2022, 2023, 11, 0, -11, True, 'exact'),
            ('青岚县云溪镇人民政府', 2019, 2020, 52, 56, 4, False, 'exact'),
            ('青岚县云溪镇人民政府', 2020, 2021, 56, 60, 4, True, 'exact'),
            ('青岚县云溪镇人民政府', 2021, 2022, 60, 70, 10, False, 'exact'),
            ('青岚县云溪镇人民政府', 2022, 2023, 70, 84, 14, False, 'exact'),
            ('青岚县云溪镇人民政府', 2023, 2024, 84, 84, 0, False, 'exact'),
            ('青岚县云溪镇人民政府', 2024, 2025, 84, 103, 19, False, 'exact'),
            ('青岚县白鹭街道办事处', 2019, 2020, 94, 74, -20, False, 'exact'),
            ('青岚县白鹭街道办事处', 2020, 2021, 74, 79, 5, False, 'exact'),
            ('青岚县白鹭街道办事处', 2021, 2022, 79, 70, -9, True, 'exact'),
            ('青岚县白鹭街道办事处', 2022, 2023, 70, 62, -8, False, 'exact'),
            ('青岚县白鹭街道办事处', 2023, 2024, 62, 66, 4, False, 'exact'),
        ],
    ),
    (  # 11. outcomes per year over all bodies
        ["report_year", "outcome_group", "applications"],
        [
            (2019, 'denied', 5),
            (2019, 'granted', 102),
            (2019, 'not_processed', 2),
            (2019, 'other_processing', 3),
            (2019, 'partially_granted', 21),
            (2019, 'unable', 20),
            (2020, 'denied', 6),
            (2020, 'granted', 117),
            (2020, 'not_processed', 3),
            (2020, 'other_processing', 4),
            (2020, 'partially_granted', 18),
            (2020, 'unable', 13),
            (2021, 'denied', 6),
            (2021, 'granted', 147),
            (2021, 'not_processed', 2),
            (2021, 'other_processing', 6),
            (2021, 'partially_granted', 18),
            (2021, 'unable', 13),
            (2022, 'denied', 7),
            (2022, 'granted', 150),
            (2022, 'not_processed', 2),
            (2022, 'other_processing', 4),
            (2022, 'partially_granted', 14),
            (2022, 'unable', 17),
            (2023, 'denied', 6),
            (2023, 'granted', 127),
            (2023, 'not_processed', 3),
            (2023, 'other_processing', 2),
            (2023, 'partially_granted', 18),
            (2023, 'unable', 16),
            (2024, 'denied', 6),
            (2024, 'granted', 105),
            (2024, 'not_processed', 2),
            (2024, 'other_processing', 4),
            (2024, 'partially_granted', 20),
            (2024, 'unable', 13),
            (2025, 'denied', 7),
            (2025, 'granted', 71),
            (2025, 'not_processed', 2),
            (2025, 'other_processing', 1),
            (2025, 'partially_granted', 9),
            (2025, 'unable', 12),
        ],
    ),
    (  # 12. column comments (checked on their Chinese label)
        ["column_name", "comment"],
        [("disclosure_rate", "公开率："), ("review_correction_rate", "行政复议纠错率："),
         ("litigation_correction_rate", "行政诉讼纠错率：")],
    ),
]


def sql_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def normalise(rows: list[tuple]) -> list[tuple]:
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> aw.Warehouse:
    return aw.built(tmp_path_factory)


def test_the_guide_has_8_to_12_examples_each_with_an_answer():
    assert 8 <= len(sql_blocks()) <= 12
    assert len(sql_blocks()) == len(EXPECTED)


@pytest.mark.parametrize("number", range(1, len(EXPECTED) + 1))
def test_example_runs_and_answers(wh, number):
    sql = sql_blocks()[number - 1]
    columns, rows = wh.columns(sql)
    expected_columns, expected_rows = EXPECTED[number - 1]
    assert columns == expected_columns
    if number == 12:  # the comments are long: their Chinese label is enough to pin them
        assert [(c, text[: len(prefix)]) for (c, text), (_, prefix) in zip(rows, expected_rows, strict=True)] == \
            expected_rows
        return
    assert normalise(rows) == normalise(expected_rows)


def test_the_indicators_are_defined_once_in_the_guide_and_in_the_mart(wh):
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("| indicator | 中文 | definition |"):].split("\n\n")[0]
    in_guide = re.findall(r"^\| `(\w+)` \|", table, re.M)
    columns = [c for (c,) in wh.query(
        "select column_name from duckdb_columns() where schema_name = 'marts' "
        "and table_name = 'indicators_by_body_year' and (column_name like '%rate' or column_name like '%share') "
        "order by column_index"
    )]
    assert in_guide == columns
    header = INDICATORS_SQL.read_text(encoding="utf-8").split("\nwith ")[0]
    assert all(f"--   {name}" in header for name in columns)
