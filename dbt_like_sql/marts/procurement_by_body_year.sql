-- Central government procurement (政府集中采购) per body and year (table art20_9, 2019 template only).
-- The amount is in 元; `amount_unit_written` is the unit the report printed in the cell (null: none).
select
    organization,
    report_year,
    template,
    report_id,
    cast(sum(value) filter (where measure = 'procurement_projects') as bigint) as procurement_projects,
    sum(value) filter (where measure = 'procurement_amount') as procurement_amount_yuan,
    max(unit_written) filter (where measure = 'procurement_amount') as amount_unit_written
from staging.stg_disclosure
where topic = 'procurement' and is_current
group by organization, report_year, template, report_id
order by report_year, organization
