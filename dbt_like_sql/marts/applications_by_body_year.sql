-- materialized: incremental_by_body
-- changes_with: staging.stg_body_reports (body_name, report_year) where is_body_primary
-- Applications (section 三) per body and year on the canonical outcome list of spec §8.1 (the 23 rows both
-- formats share), one column per applicant type, from the primary report of each body and year. In 2021-
-- format reports `other_processing` is the sum of the three （六） sub-rows: `is_derived` is true there and
-- `comparability` is `derived` (the printed 2019 row has `is_derived` false). Every other outcome is exact.
-- `legal_person_total` (法人或其他组织) is derived: the five organisation columns summed, never printed.
select
    v.body_key,
    v.body_name,
    v.report_year,
    v.template,
    v.report_id,
    v.canonical_row as outcome,
    o.outcome_group,
    cast(o.row_order as integer) as row_order,
    v.comparability,
    v.template = '2021' and v.canonical_row = 'other_processing' as is_derived,
    cast(max(v.value) filter (where v.canonical_column = 'natural_person') as bigint) as natural_person,
    cast(max(v.value) filter (where v.canonical_column = 'commercial_enterprise') as bigint) as commercial_enterprise,
    cast(max(v.value) filter (where v.canonical_column = 'research_institution') as bigint) as research_institution,
    cast(max(v.value) filter (where v.canonical_column = 'social_welfare_org') as bigint) as social_welfare_org,
    cast(max(v.value) filter (where v.canonical_column = 'legal_service_org') as bigint) as legal_service_org,
    cast(max(v.value) filter (where v.canonical_column = 'other_org') as bigint) as other_org,
    cast(max(v.value) filter (where v.canonical_column = 'total') as bigint) as total,
    cast(
        sum(v.value) filter (
            where v.canonical_column in (
                'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org'
            )
        ) as bigint
    ) as legal_person_total
from staging.stg_canonical_values as v
join seeds.application_rows as o on o.template = '2019' and o.row_key = v.canonical_row
where v.canonical_table = 'applications'
group by all
order by v.body_key, v.report_year, row_order
