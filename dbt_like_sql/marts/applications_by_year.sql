-- Applications per year, outcome group and applicant type over all bodies (primary reports only).
-- The outcome groups are comparable across the 2019 and 2021 templates (spec §8.1).
select
    report_year,
    outcome_group,
    applicant_type,
    count(distinct report_id) as reports,
    cast(sum(value) as bigint) as applications
from staging.stg_applications
where is_current
group by report_year, outcome_group, applicant_type
order by report_year, outcome_group, applicant_type
