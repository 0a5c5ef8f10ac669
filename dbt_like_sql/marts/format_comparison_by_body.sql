-- materialized: incremental_by_body
-- changes_with: staging.stg_body_reports (body_name, report_year) where is_body_primary
-- The 2019 format beside the 2021 format, per body and canonical measure (spec §8): the value in the body's
-- latest report in the 2019 format and in its earliest report in the 2021 format (the two years around its
-- switch), both raw, with their years, the measure's `comparability` and `caveat`. A body with one format
-- only, or a measure of one format only (comparability none), has the other side null. `difference`
-- (value_2021 − value_2019) is given only where comparability is exact, derived or approx: read the
-- caveat for approx. 2021's `other_processing` is the sum of its three （六） sub-rows (derived).
with side_2019 as (
    select * from staging.stg_canonical_values
    where template = '2019'
    qualify row_number() over (partition by body_key, canonical_key order by report_year desc, report_id) = 1
),

side_2021 as (
    select * from staging.stg_canonical_values
    where template = '2021'
    qualify row_number() over (partition by body_key, canonical_key order by report_year, report_id) = 1
),

pairs as (
    select
        coalesce(a.body_key, b.body_key) as body_key,
        coalesce(a.body_name, b.body_name) as body_name,
        coalesce(a.canonical_key, b.canonical_key) as canonical_key,
        a.report_year as year_2019,
        a.value as value_2019,
        a.report_id as report_id_2019,
        b.report_year as year_2021,
        b.value as value_2021,
        b.report_id as report_id_2021
    from side_2019 as a
    full outer join side_2021 as b on b.body_key = a.body_key and b.canonical_key = a.canonical_key
)

select
    p.body_key,
    p.body_name,
    p.canonical_key,
    m.canonical_table,
    m.canonical_row,
    m.canonical_column,
    m.comparability,
    m.caveat,
    m.unit,
    p.year_2019,
    p.value_2019,
    p.year_2021,
    p.value_2021,
    case when m.comparability in ('exact', 'derived', 'approx') then p.value_2021 - p.value_2019 end as difference,
    p.year_2019 is not null and p.year_2021 is not null as has_both_formats,
    p.report_id_2019,
    p.report_id_2021,
    m.measure_order
from pairs as p
join staging.stg_canonical_measures as m using (canonical_key)
order by p.body_key, m.measure_order
