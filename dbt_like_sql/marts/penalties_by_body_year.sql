-- Administrative penalties (行政处罚) and coercion (行政强制) per body and year (table art20_6).
-- `*_decisions` exist in both templates (comparable, approx); the item counts only in 2019.
select
    organization,
    report_year,
    template,
    report_id,
    cast(sum(value) filter (where item = 'penalty' and measure = 'decisions') as bigint) as penalty_decisions,
    cast(sum(value) filter (where item = 'coercion' and measure = 'decisions') as bigint) as coercion_decisions,
    cast(sum(value) filter (where item = 'penalty' and measure = 'prev_year_items') as bigint)
        as penalty_prev_year_items,
    cast(sum(value) filter (where item = 'penalty' and measure = 'items_change') as bigint) as penalty_items_change,
    cast(sum(value) filter (where item = 'coercion' and measure = 'prev_year_items') as bigint)
        as coercion_prev_year_items,
    cast(sum(value) filter (where item = 'coercion' and measure = 'items_change') as bigint) as coercion_items_change
from staging.stg_disclosure
where topic = 'penalties' and is_current
group by organization, report_year, template, report_id
order by report_year, organization
