-- Reports with a primary flag. When one body has several reports for one year (re-crawls, corrected
-- re-publications, name variants of one body), they are versions of one report: `is_primary` marks
-- the one the per-body marts count, the current version (`dim_report.is_current`: the newest by
-- publication date, then first seen, whose file is still in data/raw/). The others stay in dim_report.
select
    d.*,
    d.is_current as is_primary
from dim_report as d
