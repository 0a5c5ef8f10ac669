-- materialized: view
-- Every accounting-identity evaluation (spec §7: A1–A3, R1–R3) of every report: pass, fail or not_evaluable,
-- with both sides.
select
    c.report_id, d.organization, d.report_year, d.template, d.source_file,
    c.identity, c.table_key, c.target, c.status,
    c.left_value, c.right_value, c.had_nulls, c.formula
from loaded.checks as c
join dim_report as d using (report_id, batch_id)
