-- materialized: view
-- unique: report_id, item, measure
-- Central government procurement (2019 template only) (section 二, table `art20_9`): one row per
-- report, item and measure. 2019 and 2021 measures keep their own keys (`measure`); `canonical_measure` and
-- `comparability` come from the spec §8 crosswalk. `unit` is the unit of `value`, `unit_written` the unit
-- printed in the cell.
select * exclude (table_key) rename (row_key as item, column_key as measure)
from report_cells
where table_key = 'art20_9'
