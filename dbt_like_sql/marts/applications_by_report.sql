-- materialized: incremental_by_report
-- Applications per report and outcome row (section 三), one column per applicant type.
-- `legal_person_total` is derived (the five organisation columns), never a parsed value.
select
    report_id,
    organization,
    report_year,
    template,
    outcome,
    outcome_group,
    row_order,
    cast(sum(value) filter (where applicant_type = 'natural_person') as bigint) as natural_person,
    cast(sum(value) filter (where applicant_type = 'commercial_enterprise') as bigint) as commercial_enterprise,
    cast(sum(value) filter (where applicant_type = 'research_institution') as bigint) as research_institution,
    cast(sum(value) filter (where applicant_type = 'social_welfare_org') as bigint) as social_welfare_org,
    cast(sum(value) filter (where applicant_type = 'legal_service_org') as bigint) as legal_service_org,
    cast(sum(value) filter (where applicant_type = 'other_org') as bigint) as other_org,
    cast(sum(value) filter (where applicant_type = 'total') as bigint) as total,
    cast(
        sum(value) filter (
            where applicant_type in (
                'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org'
            )
        ) as bigint
    ) as legal_person_total
from staging.stg_applications
group by report_id, organization, report_year, template, outcome, outcome_group, row_order
order by report_year, organization, report_id, row_order
