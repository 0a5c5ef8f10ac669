-- materialized: view
-- Section 二 (proactive disclosure) cells of all five fact tables in one shape, with a `topic`
-- and the report's `is_current` flag. Measures keep their template-specific keys (spec §8.3).
with cells as (
    select 'regulations' as topic, report_id, template, item, measure, value, unit, unit_written, comparability
    from fact_regulations
    union all
    select 'licensing', report_id, template, item, measure, value, unit, unit_written, comparability
    from fact_licensing
    union all
    select 'penalties', report_id, template, item, measure, value, unit, unit_written, comparability
    from fact_penalties
    union all
    select 'fees', report_id, template, item, measure, value, unit, unit_written, comparability
    from fact_fees
    union all
    select 'procurement', report_id, template, item, measure, value, unit, unit_written, comparability
    from fact_procurement
)
select c.*, r.organization, r.report_year, r.is_current
from cells as c
join staging.stg_reports as r using (report_id)
