"""The cross-year comparison layer on the sample reports plus a synthetic multi-year set
(tests/support/analyst_warehouse.py): body keys in the warehouse, the 2019-vs-2021 comparison mart (pinned rows:
each canonical measure with both formats' values and its comparability), applications per body and year,
year-over-year deltas, continuity checks and the derived indicators."""

from __future__ import annotations

import pytest

from pipeline.bodies import assign_body_keys
from tests.support import analyst_warehouse as aw

# Builds the analyst warehouse through Dagster (tests/support/analyst_warehouse.py).
pytestmark = pytest.mark.integration

WANDONG = "万东镇"  # sample 2019 (2019 format) + synthetic 2020 (2019), 2021 and 2022 (2021 format)
QUANTANG = "湘乡市泉塘镇"  # synthetic 2022 (2019 format) + the sample's 泉塘镇 2023 (2021 format)
CHANGGAO = "北票市长皋乡"  # synthetic 2019 (2019 format) + the sample's 2024 report (2021 format)
HUAPING = "浈江区花坪镇"  # synthetic 2023 + the sample's 2024 report, both in the 2019 format
KEJING = "克井镇"  # synthetic 克井镇 2023 + the sample's 克井镇人民政府 2024, both in the 2021 format


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> aw.Warehouse:
    return aw.built(tmp_path_factory)


def rows(wh, sql, params=None):
    return wh.query(sql, params)


def test_the_graph_materialises(wh):
    assert wh.result.success


# ------------------------------------------------------------------------------------------ body keys


def test_every_printed_name_has_one_body(wh):
    names = [r[0] for r in rows(wh, "select distinct organization from dim_report where organization is not null")]
    dim = dict(((n, (k, a)) for n, k, a in rows(wh, "select organization, body_key, ambiguous from dim_body_name")))
    assert set(dim) == set(names)
    assert dim == assign_body_keys(names)  # the tested rule of pipeline/bodies.py, unchanged


def test_name_variants_join_and_different_bodies_stay_apart(wh):
    dim = dict(rows(wh, "select organization, body_key from dim_body_name"))
    assert dim["万东镇"] == dim["万东镇人民政府"] == WANDONG
    assert dim["克井镇"] == dim["克井镇人民政府"] == KEJING
    assert dim["泉塘镇"] == dim["湘乡市泉塘镇人民政府"] == QUANTANG
    # two different 东湖街道 and a bare one that could be either: three bodies, the bare one flagged
    assert dim["湘乡市东湖街道"] == "湘乡市东湖街道"
    assert dim["宁乡市东湖街道"] == "宁乡市东湖街道"
    assert rows(wh, "select body_key, ambiguous from dim_body_name where organization = '东湖街道'") == [
        ("东湖街道?", True)
    ]
    marts = {r[0] for r in rows(wh, "select distinct body_key from marts.applications_by_body_year")}
    assert {"湘乡市东湖街道", "宁乡市东湖街道", "东湖街道?"} <= marts


def test_one_primary_report_per_body_and_year(wh):
    dupes = rows(wh, "select body_key, report_year from staging.stg_body_reports where is_body_primary group by all "
                     "having count(*) > 1")
    assert dupes == []
    years = rows(wh, "select report_year, organization from staging.stg_body_reports where body_key = ? "
                     "order by report_year", [WANDONG])
    assert years == [(2019, "万东镇人民政府"), (2020, "万东镇"), (2021, "万东镇人民政府"), (2022, "万东镇人民政府")]


# ------------------------------------------------------------------------------------------ format comparison

# (body, canonical_key) -> (comparability, year_2019, value_2019, year_2021, value_2021, difference)
PINNED_COMPARISON = {
    # 万东镇: synthetic 2020 (2019 format) vs synthetic 2021 (2021 format)
    (WANDONG, "art20_1.regulations.issued"): ("approx", 2020, 1, 2021, 2, 1),
    (WANDONG, "art20_1.regulations.new_published"): ("none", 2020, 8, None, None, None),
    (WANDONG, "art20_1.regulations.repealed"): ("none", None, None, 2021, 0, None),
    (WANDONG, "art20_1.normative_documents.in_force"): ("approx", 2020, 40, 2021, 20, -20),
    (WANDONG, "art20_5.licensing.decisions"): ("approx", 2020, 30, 2021, 33, 3),
    (WANDONG, "art20_5.other_admin_services.decisions"): ("none", 2020, 263, None, None, None),
    (WANDONG, "art20_6.penalty.decisions"): ("approx", 2020, 12, 2021, 15, 3),
    (WANDONG, "art20_6.coercion.decisions"): ("approx", 2020, 2, 2021, 1, -1),
    (WANDONG, "art20_8.admin_fees.fee_item_count_prev_year"): ("none", 2020, 0, None, None, None),
    (WANDONG, "art20_8.admin_fees.fee_amount_wan_yuan"): ("none", None, None, 2021, 105.2911, None),
    (WANDONG, "art20_9.central_procurement.procurement_amount"): ("none", 2020, 42010.12, None, None, None),
    (WANDONG, "applications.new_received.natural_person"): ("exact", 2020, 27, 2021, 26, -1),
    (WANDONG, "applications.new_received.total"): ("exact", 2020, 35, 2021, 37, 2),
    (WANDONG, "applications.other_processing.natural_person"): ("derived", 2020, 0, 2021, 3, 3),
    (WANDONG, "applications.other_overdue_fee.natural_person"): ("none", None, None, 2021, 1, None),
    (WANDONG, "applications.carried_forward.total"): ("exact", 2020, 4, 2021, 2, -2),
    (WANDONG, "review_litigation.cases.review_total"): ("exact", 2020, 4, 2021, 1, -3),
    (WANDONG, "review_litigation.cases.litigation_direct_total"): ("exact", 2020, 3, 2021, 12, 9),
    # 湘乡市泉塘镇: synthetic 2022 (2019 format) vs the sample report 泉塘镇 2023 (2021 format)
    (QUANTANG, "art20_1.regulations.issued"): ("approx", 2022, 363, 2023, 0, -363),
    (QUANTANG, "art20_6.penalty.decisions"): ("approx", 2022, 4, 2023, 0, -4),
    (QUANTANG, "art20_8.admin_fees.fee_amount_wan_yuan"): ("none", None, None, 2023, 0, None),
    (QUANTANG, "applications.new_received.total"): ("exact", 2022, 11, 2023, 0, -11),
    (QUANTANG, "review_litigation.cases.review_total"): ("exact", 2022, 5, 2023, 0, -5),
    # 北票市长皋乡: synthetic 2019 (2019 format) vs the sample report of 2024 (2021 format, fees 9.51 万元)
    (CHANGGAO, "art20_5.licensing.decisions"): ("approx", 2019, 235, 2024, 0, -235),
    (CHANGGAO, "art20_8.admin_fees.fee_amount_wan_yuan"): ("none", None, None, 2024, 9.51, None),
    (CHANGGAO, "art20_9.central_procurement.procurement_amount"): ("none", 2019, 6790.54, None, None, None),
    (CHANGGAO, "applications.new_received.total"): ("exact", 2019, 13, 2024, 0, -13),
    # 浈江区花坪镇: 2019 format only; the 2019 side is its latest report, the sample's 2024 one
    (HUAPING, "art20_6.penalty.decisions"): ("approx", 2024, 8, None, None, None),
    (HUAPING, "art20_9.central_procurement.procurement_amount"): ("none", 2024, 1596496.16, None, None, None),
    # 克井镇: 2021 format only; the 2021 side is its earliest report (synthetic 2023)
    (KEJING, "art20_6.penalty.decisions"): ("approx", None, None, 2023, 6, None),
    (KEJING, "art20_8.admin_fees.fee_amount_wan_yuan"): ("none", None, None, 2023, 106.1061, None),
}


def test_comparison_pinned_rows(wh):
    got = {
        (r[0], r[1]): r[2:]
        for r in rows(
            wh,
            "select body_key, canonical_key, comparability, year_2019, value_2019, year_2021, value_2021, difference "
            "from marts.format_comparison_by_body",
        )
    }
    for key, expected in PINNED_COMPARISON.items():
        assert key in got, key
        comparability, y19, v19, y21, v21, diff = got[key]
        assert (comparability, y19, y21) == expected[:1] + expected[1:2] + expected[3:4], key
        for value, want in ((v19, expected[2]), (v21, expected[4]), (diff, expected[5])):
            assert value == (None if want is None else pytest.approx(want)), key


@pytest.mark.parametrize("body", [WANDONG, QUANTANG, CHANGGAO])
def test_a_body_crossing_formats_shows_every_canonical_measure(wh, body):
    measures = dict(rows(wh, "select canonical_key, in_2019 and in_2021 from staging.stg_canonical_measures"))
    got = dict(rows(wh, "select canonical_key, has_both_formats from marts.format_comparison_by_body "
                        "where body_key = ?", [body]))
    assert got == measures  # every measure once; both values exactly where both formats print it
    assert sum(measures.values()) == 183  # 222 canonical measures, 183 in both formats


def test_single_format_bodies_have_the_other_side_null(wh):
    assert rows(wh, "select count(*) from marts.format_comparison_by_body where body_key = ? "
                    "and (year_2021 is not null or year_2019 is null)", [HUAPING]) == [(0,)]
    assert rows(wh, "select count(*) from marts.format_comparison_by_body where body_key = ? "
                    "and (year_2019 is not null or year_2021 is null)", [KEJING]) == [(0,)]


def test_comparability_and_caveat_come_from_the_mapping(wh):
    mismatched = rows(wh, """
        select f.canonical_key from marts.format_comparison_by_body as f
        join (select distinct canonical_table || '.' || canonical_row || '.' || canonical_column as canonical_key,
                     comparability from seeds.canonical_mapping) as m using (canonical_key)
        where m.comparability <> f.comparability""")
    assert mismatched == []
    assert rows(wh, "select count(*) from marts.format_comparison_by_body where comparability = 'none' "
                    "and difference is not null") == [(0,)]
    assert rows(wh, "select count(*) from marts.format_comparison_by_body where comparability = 'approx' "
                    "and coalesce(caveat, '') = ''") == [(0,)]
    fees = rows(wh, "select distinct caveat from marts.format_comparison_by_body "
                    "where canonical_key = 'art20_8.admin_fees.fee_item_count_prev_year'")
    assert len(fees) == 1 and "never one series" in fees[0][0]


# ------------------------------------------------------------------------------------------ applications per body


def test_applications_by_body_year_has_the_canonical_outcomes(wh):
    counts = rows(wh, "select count(*), count(distinct outcome) from marts.applications_by_body_year "
                      "group by body_key, report_year")
    assert {c for c in counts} == {(23, 23)}
    assert rows(wh, "select count(*) from marts.applications_by_body_year where outcome like 'other\\_%' escape '\\' "
                    "and outcome <> 'other_processing'") == [(0,)]


def test_2021_other_processing_is_the_sum_of_its_three_sub_rows(wh):
    mismatched = rows(wh, """
        with sub as (
            select report_id, applicant_type, sum(value) as value from fact_applications
            where outcome in ('other_overdue_correction', 'other_overdue_fee', 'other_other') group by all
        ), mart as (
            unpivot (select report_id, natural_person, commercial_enterprise, research_institution, social_welfare_org,
                            legal_service_org, other_org, total
                     from marts.applications_by_body_year where outcome = 'other_processing' and template = '2021')
            on columns(* exclude (report_id)) into name applicant_type value value
        )
        select * from mart join sub using (report_id, applicant_type) where mart.value <> sub.value""")
    assert mismatched == []
    flags = rows(wh, "select template, is_derived, comparability, count(*) from marts.applications_by_body_year "
                     "where outcome = 'other_processing' group by all order by all")
    assert [(t, d, c) for t, d, c, _ in flags] == [("2019", False, "derived"), ("2021", True, "derived")]
    assert rows(wh, "select natural_person, total, is_derived from marts.applications_by_body_year "
                    "where body_key = ? and report_year = 2021 and outcome = 'other_processing'", [WANDONG]) == [
        (3, 3, True)
    ]


def test_legal_person_applications(wh):
    got = rows(wh, "select report_year, natural_person, legal_person_total, total from marts.applications_by_body_year "
                   "where body_key = ? and outcome = 'new_received' order by report_year", [WANDONG])
    assert got == [(2019, 0, 0, 0), (2020, 27, 8, 35), (2021, 26, 11, 37), (2022, 21, 12, 33)]


# ------------------------------------------------------------------------------------------ year over year


def test_yoy_only_on_comparable_measures_and_y_minus_1(wh):
    assert rows(wh, "select distinct comparability from marts.yoy_by_body_measure order by 1") == [
        ("approx",), ("derived",), ("exact",)
    ]
    assert rows(wh, "select count(*) from marts.yoy_by_body_measure where previous_year is not null "
                    "and previous_year <> report_year - 1") == [(0,)]
    # 克井镇 2023 → 2024 under two names is one series; 湘乡市/宁乡市东湖街道 are never each other's previous year
    assert rows(wh, "select previous_value, value, delta, crosses_formats from marts.yoy_by_body_measure "
                    "where body_key = ? and canonical_key = 'art20_6.penalty.decisions' and report_year = 2024",
                [KEJING]) == [(6, 13, 7, False)]
    assert rows(wh, "select previous_year from marts.yoy_by_body_measure where body_key = '宁乡市东湖街道' "
                    "and previous_year is not null") == []


def test_yoy_pinned_rows(wh):
    got = rows(wh, """
        select report_year, previous_value, value, delta, crosses_formats, comparability
        from marts.yoy_by_body_measure where body_key = ? and canonical_key = 'applications.other_processing.total'
        order by report_year""", [WANDONG])
    assert got == [(2019, None, 0, None, None, "derived"), (2020, 0, 0, 0, False, "derived"),
                   (2021, 0, 3, 3, True, "derived"), (2022, 3, 0, -3, False, "derived")]


# ------------------------------------------------------------------------------------------ continuity


def test_carried_over_continuity(wh):
    got = rows(wh, """
        select report_year, target, status, left_value, right_value, note from marts.continuity_checks
        where check_name = 'carried_over_continuity' and body_key = ? order by report_year, target""", [WANDONG])
    by_year: dict[int, dict[str, tuple]] = {}
    for year, target, *rest in got:
        by_year.setdefault(year, {})[target] = tuple(rest)
    assert set(by_year) == {2019, 2020, 2021, 2022}
    assert all(r == ("not_evaluable", 0, None, "no report for the previous year") for r in by_year[2019].values())
    assert all(r[0] == "pass" for r in by_year[2020].values()) and len(by_year[2020]) == 7
    assert by_year[2021]["natural_person"] == ("fail", 4, 3, None)
    assert by_year[2021]["total"] == ("fail", 5, 4, None)
    assert by_year[2021]["commercial_enterprise"] == ("pass", 1, 1, None)
    assert all(r[0] == "pass" for r in by_year[2022].values())


def test_in_force_balance_and_item_stock(wh):
    got = rows(wh, """
        select check_name, report_year, table_key, target, status, left_value, right_value, note
        from marts.continuity_checks where body_key = ? and check_name <> 'carried_over_continuity'
          and status <> 'not_evaluable' or (body_key = ? and check_name = 'in_force_balance')
        order by all""", [WANDONG, WANDONG])
    not_2021 = "previous year not in the 2021 format (2019 对外公开总数量 is not a stock in force)"
    assert got == [
        ("in_force_balance", 2021, "art20_1", "normative_documents", "not_evaluable", 20, None, not_2021),
        ("in_force_balance", 2021, "art20_1", "regulations", "not_evaluable", 4, None, not_2021),
        ("in_force_balance", 2022, "art20_1", "normative_documents", "fail", 30, 26, None),
        ("in_force_balance", 2022, "art20_1", "regulations", "pass", 5, 5, None),
        ("items_stock_2019", 2020, "art20_5", "licensing", "pass", 3, 3, None),
        ("items_stock_2019", 2020, "art20_5", "other_admin_services", "pass", 0, 0, None),
        ("items_stock_2019", 2020, "art20_6", "coercion", "pass", 0, 0, None),
        ("items_stock_2019", 2020, "art20_6", "penalty", "fail", 1, 0, None),
        ("items_stock_2019", 2020, "art20_8", "admin_fees", "pass", 0, 0, None),
    ]


def test_continuity_is_reported_never_enforced(wh):
    # the report that fails a continuity check is loaded down to every mart like the others
    failing = rows(wh, "select distinct report_id, body_name, report_year from marts.continuity_checks "
                       "where status = 'fail' and check_name = 'carried_over_continuity' order by body_name")
    assert [(name, year) for _, name, year in failing] == [("万东镇人民政府", 2021), ("青岚县白鹭街道办事处", 2024)]
    for report_id, _, _ in failing:
        for table in ("fact_applications", "marts.applications_by_body_year", "marts.indicators_by_body_year"):
            assert rows(wh, f"select count(*) > 0 from {table} where report_id = ?", [report_id]) == [(True,)]
    statuses = {r[0] for r in rows(wh, "select distinct status from marts.continuity_checks")}
    assert statuses == {"pass", "fail", "not_evaluable"}


# ------------------------------------------------------------------------------------------ indicators


def test_indicators_follow_their_definitions(wh):
    """Recompute each indicator from the fact tables, independently of the mart's SQL."""
    facts: dict[str, dict[tuple[str, str], float | None]] = {}
    applications = rows(wh, "select report_id, outcome, applicant_type, value from fact_applications")
    for report_id, row, col, value in applications:
        facts.setdefault(report_id, {})[(row, col)] = value
    for report_id, measure, value in rows(wh, "select report_id, measure, value from fact_review_litigation"):
        facts.setdefault(report_id, {})[("cases", measure)] = value

    def ratio(num, den):
        return None if not den else num / den

    mart = rows(wh, "select report_id, disclosure_rate, denied_share, unable_share, not_processed_share, "
                    "legal_person_share, review_correction_rate, litigation_correction_rate "
                    "from marts.indicators_by_body_year")
    assert len(mart) == rows(wh, "select count(*) from staging.stg_body_reports where is_body_primary")[0][0]
    orgs = ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")
    for report_id, *got in mart:
        f = facts[report_id]

        def total(row, f=f):
            return f.get((row, "total")) or 0

        def by_prefix(prefix, f=f):
            return sum(v or 0 for (r, c), v in f.items() if c == "total" and r.startswith(prefix))

        def case(col, f=f):
            return f.get(("cases", col)) or 0

        den = f.get(("total", "total"))
        expected = [
            ratio(total("granted") + total("partially_granted"), den),
            ratio(by_prefix("denied_"), den),
            ratio(by_prefix("unable_"), den),
            ratio(by_prefix("not_processed_"), den),
            ratio(sum(f.get(("new_received", c)) or 0 for c in orgs), f.get(("new_received", "total"))),
            ratio(case("review_corrected"), case("review_total") - case("review_pending")),
            ratio(case("litigation_direct_corrected") + case("litigation_after_review_corrected"),
                  case("litigation_direct_total") - case("litigation_direct_pending")
                  + case("litigation_after_review_total") - case("litigation_after_review_pending")),
        ]
        assert got == [None if e is None else pytest.approx(e) for e in expected], report_id


def test_indicators_are_null_not_zero_on_a_zero_denominator(wh):
    got = rows(wh, "select report_year, disclosure_rate, applications_total, review_correction_rate, review_decided "
                   "from marts.indicators_by_body_year where body_key = ? order by report_year", [WANDONG])
    assert got == [
        (2019, None, 0, None, 0),
        (2020, pytest.approx(1.0), 31, pytest.approx(1 / 3), 3),
        (2021, pytest.approx(37 / 40), 40, 0.0, 1),
        (2022, pytest.approx(30 / 35), 35, None, 0),
    ]
