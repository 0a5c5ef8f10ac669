-- materialized: incremental_by_body
-- changes_with: staging.stg_body_reports (body_name, report_year) where is_body_primary
-- Year-over-year change per body and canonical measure: the primary report's value beside the same body's
-- value for the year before (y − 1; the previous_* columns are null when the body has no report for it),
-- only on measures comparable across the formats (comparability exact, derived or approx, carried here).
-- `crosses_formats` is true when the two years are in different formats: the comparability and caveat
-- then apply. `delta` = value − previous_value; `relative_change` = delta / previous_value (null when 0).
with v as (
    select * from staging.stg_canonical_values where comparability in ('exact', 'derived', 'approx')
)

select
    cur.body_key,
    cur.body_name,
    cur.canonical_key,
    cur.canonical_table,
    cur.canonical_row,
    cur.canonical_column,
    cur.report_year,
    cur.template,
    cur.value,
    prev.report_year as previous_year,
    prev.template as previous_template,
    prev.value as previous_value,
    cur.value - prev.value as delta,
    (cur.value - prev.value) / nullif(prev.value, 0) as relative_change,
    prev.template <> cur.template as crosses_formats,
    cur.comparability,
    m.caveat,
    cur.report_id,
    prev.report_id as previous_report_id,
    m.measure_order
from v as cur
left join v as prev
  on prev.body_key = cur.body_key
 and prev.canonical_key = cur.canonical_key
 and prev.report_year = cur.report_year - 1
join staging.stg_canonical_measures as m on m.canonical_key = cur.canonical_key
order by cur.body_key, m.measure_order, cur.report_year
