-- materialized: incremental_by_body
-- changes_with: staging.stg_body_reports (body_name, report_year) where is_body_primary
-- Cross-year continuity checks per body (spec §7.3–§7.5), reported, never enforced: a failure is data to look
-- at. Each row compares this year's printed value (`left_value`) with what last year's report implies
-- (`right_value`), both from the primary reports of y and y − 1 of the same body:
--   carried_over_continuity  applications carried_over[y][c] = carried_forward[y−1][c], per applicant column c;
--   in_force_balance         2021 format: in_force[y] = in_force[y−1] + issued[y] − repealed[y], per row of art20_1;
--   items_stock_2019         2019 format: prev_year_items[y] = prev_year_items[y−1] + items_change[y−1]
--                            (art20_5, art20_6, art20_8; only under the reading of spec §7.4 that counts items).
-- status: pass, fail, or not_evaluable (no report for y − 1, y − 1 not in the needed format, or a compared
-- value blank: `note` says which). Blank issued/repealed/items_change count as 0 and set `had_nulls` (§7.6).
with v as (
    select * from staging.stg_canonical_values
),

reports as (
    select body_key, report_year, report_id from staging.stg_body_reports where is_body_primary
),

carry as (
    select
        'carried_over_continuity' as check_name,
        cur.body_key,
        cur.body_name,
        cur.report_year,
        cur.report_id,
        pr.report_id as previous_report_id,
        'applications' as table_key,
        cur.canonical_column as target,
        cur.value as left_value,
        prev.value as right_value,
        false as had_nulls,
        pr.report_id is not null as previous_report_exists,
        prev.canonical_key is not null as previous_format_ok,
        'carried_over[y] = carried_forward[y-1]' as formula
    from v as cur
    left join reports as pr on pr.body_key = cur.body_key and pr.report_year = cur.report_year - 1
    left join v as prev
      on prev.report_id = pr.report_id
     and prev.canonical_key = 'applications.carried_forward.' || cur.canonical_column
    where cur.canonical_table = 'applications' and cur.canonical_row = 'carried_over'
),

regulations_2021 as (
    select
        body_key,
        body_name,
        report_year,
        report_id,
        canonical_row,
        max(value) filter (where canonical_column = 'in_force') as in_force,
        max(value) filter (where canonical_column = 'issued') as issued,
        max(value) filter (where canonical_column = 'repealed') as repealed,
        count(*) filter (where canonical_column in ('issued', 'repealed') and value is null) > 0 as flow_nulls
    from v
    where canonical_table = 'art20_1' and template = '2021'
    group by all
),

in_force as (
    select
        'in_force_balance' as check_name,
        cur.body_key,
        cur.body_name,
        cur.report_year,
        cur.report_id,
        pr.report_id as previous_report_id,
        'art20_1' as table_key,
        cur.canonical_row as target,
        cur.in_force as left_value,
        prev.in_force + coalesce(cur.issued, 0) - coalesce(cur.repealed, 0) as right_value,
        cur.flow_nulls as had_nulls,
        pr.report_id is not null as previous_report_exists,
        prev.report_id is not null as previous_format_ok,
        'in_force[y] = in_force[y-1] + issued[y] - repealed[y]' as formula
    from regulations_2021 as cur
    left join reports as pr on pr.body_key = cur.body_key and pr.report_year = cur.report_year - 1
    left join regulations_2021 as prev on prev.report_id = pr.report_id and prev.canonical_row = cur.canonical_row
),

items_2019 as (
    select
        body_key,
        body_name,
        report_year,
        report_id,
        canonical_table,
        canonical_row,
        max(value) filter (where canonical_column in ('prev_year_items', 'fee_item_count_prev_year')) as prev_items,
        max(value) filter (where canonical_column in ('items_change', 'fee_item_count_change')) as items_change
    from v
    where canonical_table in ('art20_5', 'art20_6', 'art20_8') and template = '2019'
    group by all
),

items as (
    select
        'items_stock_2019' as check_name,
        cur.body_key,
        cur.body_name,
        cur.report_year,
        cur.report_id,
        pr.report_id as previous_report_id,
        cur.canonical_table as table_key,
        cur.canonical_row as target,
        cur.prev_items as left_value,
        prev.prev_items + coalesce(prev.items_change, 0) as right_value,
        prev.items_change is null as had_nulls,
        pr.report_id is not null as previous_report_exists,
        prev.report_id is not null as previous_format_ok,
        'prev_year_items[y] = prev_year_items[y-1] + items_change[y-1]' as formula
    from items_2019 as cur
    left join reports as pr on pr.body_key = cur.body_key and pr.report_year = cur.report_year - 1
    left join items_2019 as prev
      on prev.report_id = pr.report_id
     and prev.canonical_table = cur.canonical_table
     and prev.canonical_row = cur.canonical_row
),

checks as (
    select * from carry
    union all
    select * from in_force
    union all
    select * from items
)

select
    check_name,
    body_key,
    body_name,
    report_year,
    report_year - 1 as previous_year,
    table_key,
    target,
    case
        when not previous_report_exists or not previous_format_ok or left_value is null or right_value is null
            then 'not_evaluable'
        when left_value = right_value then 'pass'
        else 'fail'
    end as status,
    left_value,
    right_value,
    left_value - right_value as difference,
    coalesce(had_nulls and previous_format_ok, false) as had_nulls,
    case
        when not previous_report_exists then 'no report for the previous year'
        when not previous_format_ok and check_name = 'in_force_balance'
            then 'previous year not in the 2021 format (2019 对外公开总数量 is not a stock in force)'
        when not previous_format_ok and check_name = 'items_stock_2019' then 'previous year not in the 2019 format'
        when not previous_format_ok then 'previous year has no such value'
        when left_value is null or right_value is null then 'blank value'
    end as note,
    formula,
    report_id,
    previous_report_id
from checks
order by check_name, body_key, report_year, table_key, target
