-- Administrative licensing (行政许可) per body and year (table art20_5). `licensing_decisions` exists
-- in both templates (approx); the item counts and 其他对外管理服务事项 only in 2019, never added to anything.
select
    organization,
    report_year,
    template,
    report_id,
    cast(sum(value) filter (where item = 'licensing' and measure = 'decisions') as bigint) as licensing_decisions,
    cast(sum(value) filter (where item = 'licensing' and measure = 'prev_year_items') as bigint)
        as licensing_prev_year_items,
    cast(sum(value) filter (where item = 'licensing' and measure = 'items_change') as bigint)
        as licensing_items_change,
    cast(sum(value) filter (where item = 'other_admin_services' and measure = 'decisions') as bigint)
        as other_admin_services_decisions,
    cast(sum(value) filter (where item = 'other_admin_services' and measure = 'prev_year_items') as bigint)
        as other_admin_services_prev_year_items,
    cast(sum(value) filter (where item = 'other_admin_services' and measure = 'items_change') as bigint)
        as other_admin_services_items_change
from staging.stg_disclosure
where topic = 'licensing' and is_current
group by organization, report_year, template, report_id
order by report_year, organization
