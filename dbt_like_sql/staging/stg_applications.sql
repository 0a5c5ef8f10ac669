-- materialized: view
-- Application cells (section 三) with the report's `is_current` flag. `outcome_group` rolls the rows up:
-- 2021's three （六） rows all belong to `other_processing`, the 2019 single row (spec §8.1, derived).
select
    a.report_id,
    a.organization,
    a.report_year,
    a.template,
    a.outcome,
    a.outcome_group,
    a.row_order,
    a.applicant_type,
    a.value,
    a.unit,
    a.comparability,
    r.is_current
from fact_applications as a
join staging.stg_reports as r using (report_id)
