-- materialized: view
-- unique: report_id, measure
-- identities: R1, R2, R3
-- Administrative review and litigation (section 四): one row per report and measure (15 measures, identical in
-- both templates); cases (件).
with crosswalk as (  -- the same in both templates, so any report template finds its row
    select distinct source_column, unit, comparability
    from seeds.canonical_mapping
    where source_table = 'review_litigation'
)

select
    c.report_id, d.organization, d.report_year, c.template, d.is_current,
    c.column_key as measure, m.unit, m.comparability,
    c.value, c.value_is_integer, c.raw, c.unit as unit_written, c.label_inferred, c.provenance, c.line,
    d.source_file
from loaded.review_litigation as c
join dim_report as d using (report_id, batch_id)
left join crosswalk as m on m.source_column = c.column_key
