"""A small hand-made Report (hybrid templates, a fee in 万元, an inferred label, a blank, a failed identity), for the
tests of what follows the parser: the frames of pipeline/export.py and the batch store."""

from __future__ import annotations

from pipeline.model import Cell, Check, Finding, Report


def make_report(sha: str = "a" * 64, **kw) -> Report:
    return Report(
        file="x.txt",
        sha256=sha,
        encoding="utf-8",
        encoding_confidence=1.0,
        template="hybrid",
        report_year=2024,
        organization="某镇人民政府",
        published_on="2025-01-16",
        table_templates={"art20_8": "2021", "applications": "2019"},
        cells=[
            Cell("art20_8", "admin_fees", "fee_amount_wan_yuan", 194.3525, "194.3525", line=40),
            Cell("applications", "total", "total", 7, "7", label_inferred=True, line=60),
            Cell("review_litigation", "cases", "review_total", None, "-", line=80),
        ],
        findings=[
            Finding("warning", "identity_A1_failed", "A1 fails", "applications", "total", "total", left=1, right=2)
        ],
        checks=[Check("A1", "applications", "total", "fail", 1.0, 2.0, False, "a + b = c + d")],
        **kw,
    )
