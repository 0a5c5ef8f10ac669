-- materialized: incremental_by_report
-- changes_with: staging.stg_body_reports (body_key, body_name, report_year, is_body_primary)
-- Every value of the primary report of each body and year (staging.stg_body_reports) on the canonical
-- measures of the crosswalk (seeds.canonical_mapping, spec §8). A cell's (template, table, row, column)
-- finds its canonical measure; cells are summed into it, so 2021's three （六） sub-rows appear twice: each
-- on its own (comparability none) and summed into `other_processing` (derived). `value` is null only when
-- every source cell is blank; `blank_cells` counts the blank ones. `template` is the format of the table.
with cells as (
    select report_id, template, 'applications' as source_table, outcome as source_row,
           applicant_type as source_column, value
    from fact_applications
    union all
    select report_id, template, 'review_litigation', 'cases', measure, value from fact_review_litigation
    union all
    select report_id, template, 'art20_1', item, measure, value from fact_regulations
    union all
    select report_id, template, 'art20_5', item, measure, value from fact_licensing
    union all
    select report_id, template, 'art20_6', item, measure, value from fact_penalties
    union all
    select report_id, template, 'art20_8', item, measure, value from fact_fees
    union all
    select report_id, template, 'art20_9', item, measure, value from fact_procurement
)

select
    r.body_key,
    r.body_name,
    r.report_year,
    r.report_id,
    c.template,
    m.canonical_table || '.' || m.canonical_row || '.' || m.canonical_column as canonical_key,
    m.canonical_table,
    m.canonical_row,
    m.canonical_column,
    m.comparability,
    m.unit,
    sum(c.value) as value,
    count(*) as source_cells,
    count(*) - count(c.value) as blank_cells
from cells as c
join staging.stg_body_reports as r using (report_id)
join seeds.canonical_mapping as m
  on m.template = c.template
 and m.source_table = c.source_table
 and m.source_row = c.source_row
 and m.source_column = c.source_column
where r.is_body_primary
group by all
