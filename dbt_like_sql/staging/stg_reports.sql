-- Reports with a primary flag. When one body has several reports for one year (re-crawls,
-- corrected versions), `is_primary` marks the one the per-body marts count: the one with the
-- most parsed cells, then the latest publication date.
select
    d.*,
    row_number() over (
        partition by coalesce(d.organization, d.report_id), d.report_year
        order by d.n_cells desc, d.published_on desc nulls last, d.report_id
    ) = 1 as is_primary
from dim_report as d
