-- materialized: view
-- unique: report_id, outcome, applicant_type
-- identities: A1, A2, A3
-- Applications (section 三): one row per report, outcome row and applicant type; numbers of applications
-- (件). `outcome_group` rolls the rows up (denied, unable, not_processed, other_processing); `comparability`
-- comes from the spec §8 crosswalk.
select
    c.report_id, c.organization, c.report_year, c.template, c.is_current,
    c.row_key as outcome, a.outcome_group, cast(a.row_order as integer) as row_order,
    c.column_key as applicant_type, c.unit, c.comparability,
    c.value, c.value_is_integer, c.raw, c.unit_written, c.label_inferred, c.provenance, c.line, c.source_file
from report_cells as c
left join seeds.application_rows as a on a.template = c.template and a.row_key = c.row_key
where c.table_key = 'applications'
