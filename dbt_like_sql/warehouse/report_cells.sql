-- materialized: view
-- Every cell of sections 二 (tables art20_1 … art20_9) and 三 (applications) of each report, from the parse
-- dim_report chose (joined on report_id and batch_id), with the report's organization, year and `is_current`
-- flag and the cell's spec §8 crosswalk mapping (seeds.canonical_mapping): `unit` is the unit of `value`,
-- `unit_written` the unit printed in the cell, `source_file` and `line` where it was read. The fact views of
-- these tables are this view, one table each.
with cells as (
    select * from loaded.applications
    union all select * from loaded.art20_1
    union all select * from loaded.art20_5
    union all select * from loaded.art20_6
    union all select * from loaded.art20_8
    union all select * from loaded.art20_9
),

crosswalk as (  -- a 2021 （六） sub-row maps twice (alone, and into the derived 2019 row): a cell takes its own
    select * from seeds.canonical_mapping
    qualify row_number() over (
        partition by template, source_table, source_row, source_column
        order by canonical_row = source_row desc, canonical_row
    ) = 1
)

select
    c.table_key, c.report_id, d.organization, d.report_year, c.template, d.is_current,
    c.row_key, c.column_key, m.unit, m.canonical_column as canonical_measure, m.comparability,
    c.value, c.value_is_integer, c.raw, c.unit as unit_written, c.label_inferred, c.provenance, c.line,
    d.source_file
from cells as c
join dim_report as d using (report_id, batch_id)
left join crosswalk as m
  on m.template = c.template and m.source_table = c.table_key
 and m.source_row = c.row_key and m.source_column = c.column_key
