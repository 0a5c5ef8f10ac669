"""The 2019↔2021 crosswalk (spec §8): every template field mapped, the classes the spec names, and the
committed seed CSV identical to the module that defines it."""

from __future__ import annotations

from collections import Counter

from pipeline.crosswalk import CSV_PATH, mappings, to_csv
from pipeline.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, DISCLOSURE_TABLES, REVIEW_COLUMNS

ROWS = mappings()


def _get(template, table, row, column, canonical_row=None):
    hits = [
        m
        for m in ROWS
        if (m.template, m.source_table, m.source_row, m.source_column) == (template, table, row, column)
        and (canonical_row is None or m.canonical_row == canonical_row)
    ]
    assert len(hits) == 1, hits
    return hits[0]


def test_committed_csv_matches_the_module():
    assert CSV_PATH.read_text(encoding="utf-8") == to_csv(ROWS), "run: .venv/bin/python -m pipeline.seed_files"


def test_every_field_of_both_templates_is_mapped():
    fields = Counter((m.template, m.source_table, m.source_row, m.source_column) for m in ROWS)
    for tpl in ("2019", "2021"):
        for key, table in DISCLOSURE_TABLES.items():
            for item in table.rows.get(tpl, ()):
                for measure in table.measures[tpl]:
                    assert fields[(tpl, key, item.key, measure.key)] == 1
        for row in APPLICATION_ROWS[tpl]:
            for col in APPLICATION_COLUMNS:
                expected = 2 if row.key.startswith("other_") and tpl == "2021" else 1
                assert fields[(tpl, "applications", row.key, col)] == expected, (tpl, row.key, col)
        for col in REVIEW_COLUMNS:
            assert fields[(tpl, "review_litigation", "cases", col)] == 1
    assert {m.comparability for m in ROWS} == {"exact", "derived", "approx", "none"}


def test_classes_named_by_the_spec():
    # Fees: 2019 counts of fee items vs 2021 an amount in 万元 are never one series.
    assert _get("2019", "art20_8", "admin_fees", "prev_year_items").comparability == "none"
    assert _get("2021", "art20_8", "admin_fees", "fee_amount_wan_yuan").comparability == "none"
    assert _get("2021", "art20_8", "admin_fees", "fee_amount_wan_yuan").unit == "万元"
    assert _get("2019", "art20_8", "admin_fees", "prev_year_items").canonical_column != "fee_amount_wan_yuan"
    # Procurement, 本年新公开数量 and 本年废止件数 exist in one format only.
    assert _get("2019", "art20_9", "central_procurement", "procurement_amount").comparability == "none"
    assert _get("2019", "art20_1", "regulations", "new_published").comparability == "none"
    assert _get("2021", "art20_1", "regulations", "repealed").comparability == "none"
    # approx pairs share a canonical measure.
    made = _get("2019", "art20_1", "regulations", "new_made")
    issued = _get("2021", "art20_1", "regulations", "issued")
    assert (made.canonical_column, made.comparability) == (issued.canonical_column, "approx")
    assert _get("2019", "art20_6", "penalty", "decisions").comparability == "approx"
    assert _get("2019", "art20_5", "other_admin_services", "decisions").comparability == "none"
    # Section 三: other_processing is derived from the three 2021 sub-rows; the rest is exact.
    assert _get("2019", "applications", "other_processing", "total").comparability == "derived"
    for sub in ("other_overdue_correction", "other_overdue_fee", "other_other"):
        assert _get("2021", "applications", sub, "total", "other_processing").comparability == "derived"
        assert _get("2021", "applications", sub, "total", sub).comparability == "none"
    assert _get("2021", "applications", "granted", "natural_person").comparability == "exact"
    assert _get("2019", "review_litigation", "cases", "review_total").comparability == "exact"
