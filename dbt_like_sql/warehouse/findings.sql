-- materialized: view
-- Every finding of every report (parser and identity findings), with its cell.
select
    c.report_id, d.organization, d.report_year, d.source_file,
    c.severity, c.code, c.message, c.table_key, c.row_key, c.column_key,
    c.line, c.left_value, c.right_value, c.cells, c.raw
from loaded.findings as c
join dim_report as d using (report_id, batch_id)
