-- materialized: view
-- Section 二 (proactive disclosure) cells of all five fact tables in one shape, with a `topic`
-- and the report's `is_current` flag. Measures keep their template-specific keys (spec §8.3).
select
    case c.table_key
        when 'art20_1' then 'regulations' when 'art20_5' then 'licensing' when 'art20_6' then 'penalties'
        when 'art20_8' then 'fees' when 'art20_9' then 'procurement'
    end as topic,
    c.report_id, c.template, c.row_key as item, c.column_key as measure, c.value, c.unit, c.unit_written,
    c.comparability, r.organization, r.report_year, r.is_current
from report_cells as c
join staging.stg_reports as r using (report_id)
where c.table_key in ('art20_1', 'art20_5', 'art20_6', 'art20_8', 'art20_9')
