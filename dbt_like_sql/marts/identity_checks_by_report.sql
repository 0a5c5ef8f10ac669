-- materialized: incremental_by_report
-- changes_with: dim_report (organization, report_year, template, source_file)
-- Accounting identities (spec §7) per report: how many evaluations passed, failed or could not be
-- evaluated, per identity, and which targets failed. Reports with no evaluation show zeros.
select
    d.report_id,
    d.organization,
    d.report_year,
    d.template,
    d.source_file,
    count(c.identity) as evaluations,
    count(*) filter (where c.status = 'pass') as passed,
    count(*) filter (where c.status = 'fail') as failed,
    count(*) filter (where c.status = 'not_evaluable') as not_evaluable,
    count(*) filter (where c.status = 'fail' and c.identity = 'A1') as a1_failed,
    count(*) filter (where c.status = 'fail' and c.identity = 'A2') as a2_failed,
    count(*) filter (where c.status = 'fail' and c.identity = 'A3') as a3_failed,
    count(*) filter (where c.status = 'fail' and c.identity = 'R1') as r1_failed,
    count(*) filter (where c.status = 'fail' and c.identity = 'R2') as r2_failed,
    count(*) filter (where c.status = 'fail' and c.identity = 'R3') as r3_failed,
    coalesce(string_agg(c.identity || ':' || c.target, ', ' order by c.identity, c.target)
        filter (where c.status = 'fail'), '') as failed_targets
from dim_report as d
left join identity_checks as c using (report_id)
group by d.report_id, d.organization, d.report_year, d.template, d.source_file
order by d.report_year, d.organization, d.report_id
