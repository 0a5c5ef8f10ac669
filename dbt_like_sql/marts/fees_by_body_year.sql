-- Administrative fees (行政事业性收费) per body and year (table art20_8). The two templates measure
-- different things and stay in separate columns (spec §8.3: not comparable): 2019 counts fee items,
-- 2021 reports the amount collected in 万元.
select
    organization,
    report_year,
    template,
    report_id,
    cast(sum(value) filter (where measure = 'prev_year_items') as bigint) as fee_items_prev_year,
    cast(sum(value) filter (where measure = 'items_change') as bigint) as fee_items_change,
    sum(value) filter (where measure = 'fee_amount_wan_yuan') as fee_amount_wan_yuan
from staging.stg_disclosure
where topic = 'fees' and is_current
group by organization, report_year, template, report_id
order by report_year, organization
