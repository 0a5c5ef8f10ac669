-- Reports with their body (`dim_body_name`: the body-key rule of pipeline/bodies.py) and the flag the
-- cross-year marts count by: `is_body_primary` marks one report per body and year, the current version
-- (`is_current`), with ties between name variants broken by the most parsed cells, then the latest
-- publication date. Reports without an organization or a year have no body and are never primary.
select
    r.report_id,
    r.organization,
    r.report_year,
    r.template,
    r.published_on,
    r.source_file,
    r.n_cells,
    b.body_key,
    b.body_name,
    b.ambiguous as body_ambiguous,
    r.is_current and b.body_key is not null and r.report_year is not null and row_number() over (
        partition by coalesce(b.body_key, r.report_id), r.report_year
        order by r.is_current desc, r.n_cells desc, r.published_on desc nulls last, r.report_id
    ) = 1 as is_body_primary
from staging.stg_reports as r
left join dim_body_name as b on b.organization = r.organization
