-- materialized: view
-- The reports the per-body marts count from: dim_report as it is. When one body has several reports for one
-- year (re-crawls, corrected re-publications, name variants of one body), they are versions of one report:
-- `is_current` marks the one the per-body marts count (the newest by publication date, then first seen, whose
-- file is still in data/raw/). The others stay here as history.
select d.*
from dim_report as d
