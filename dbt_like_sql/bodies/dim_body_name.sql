-- Body keys across years: one row per organization name printed in the reports (dim_report), with its
-- `body_key` and `ambiguous` from loaded.body_keys (the rule of pipeline/bodies.py, applied once per run to
-- every organization name loaded: normalised name, township prefix compatible, never merging two bodies; a
-- bare name that could be either of two bodies keeps a key of its own). `body_name` is the display name of
-- the body: the name of its latest report (then the most used name).
with names as (
    select organization, count(*) as n_reports, min(report_year) as first_year, max(report_year) as last_year
    from dim_report
    where organization is not null and trim(organization) <> ''
    group by organization
)

select
    k.organization, k.normalized_name, k.prefix, k.core, k.body_key, k.ambiguous,
    first_value(k.organization) over (
        partition by k.body_key
        order by coalesce(n.last_year, -1) desc, n.n_reports desc, k.organization desc
    ) as body_name,
    n.n_reports, n.first_year, n.last_year
from names as n
join loaded.body_keys as k using (organization)
order by k.body_key, k.organization
