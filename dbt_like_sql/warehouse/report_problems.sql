-- Everything in data/raw/ that needs a look, one row per file and problem, worst first: `refused` (the
-- parser refused the file: quarantine), `no_cells` (parsed, but no value was placed: a prose-only page, a
-- table in a layout the parser does not read), `parse_errors` (values placed, but some could not be: error
-- findings), `identity_failed` (the printed numbers break an accounting identity, spec §7) and `pending`
-- (landed, not parsed yet). Only files in data/raw/ now; `detail` says what, in words and finding codes.
with error_codes as (
    select report_id, count(*) as errors, string_agg(distinct code, ', ' order by code) as codes
    from findings
    where severity = 'error'
    group by report_id
),

failed_identities as (
    select report_id, count(*) as failures,
           string_agg(identity || ' ' || target, ', ' order by identity, target) as targets
    from identity_checks
    where status = 'fail'
    group by report_id
),

reports as (
    select d.*, e.errors, e.codes, f.failures, f.targets
    from dim_report as d
    left join error_codes as e using (report_id)
    left join failed_identities as f using (report_id)
    where d.status <> 'deleted'
),

problems as (
    select 1 as problem_order, 'refused' as problem, path as source_file, null::varchar as organization,
           null::integer as report_year, null::varchar as status, sha256 as report_id,
           code || ': ' || reason as detail
    from quarantine

    union all
    select 2, 'no_cells', source_file, organization, report_year, status, report_id,
           'no value could be placed' || coalesce(' (' || errors || ' errors: ' || codes || ')', '')
    from reports
    where no_cells

    union all
    select 3, 'parse_errors', source_file, organization, report_year, status, report_id,
           errors || ' values or rows could not be placed (' || codes || ')'
    from reports
    where not no_cells and errors > 0

    union all
    select 4, 'identity_failed', source_file, organization, report_year, status, report_id,
           failures || ' identity evaluations fail: ' || targets
    from reports
    where failures > 0

    union all
    select 5, 'pending', path, null, null, null, sha256,
           'landed but not parsed yet (still being written, or changed during the last run)'
    from file_manifest
    where status = 'pending'
)

select problem, source_file, organization, report_year, status, report_id, detail
from problems
order by problem_order, source_file, report_id
