-- The canonical measures of the 2019 ↔ 2021 crosswalk (seeds.canonical_mapping, spec §8), one row each:
-- `canonical_key` (table.row.column), its comparability (exact, derived, approx, none; the same for every
-- source field of a measure), unit, caveat, which formats print it, and a display order.
with m as (
    select
        *,
        canonical_table || '.' || canonical_row || '.' || canonical_column as canonical_key
    from seeds.canonical_mapping
),

application_order as (
    select row_key, cast(row_order as double) as row_order from seeds.application_rows where template = '2021'
    union all
    select 'other_processing', 20.5  -- before its three 2021 sub-rows (21–23)
)

select
    m.canonical_key,
    m.canonical_table,
    m.canonical_row,
    m.canonical_column,
    any_value(m.comparability) as comparability,
    any_value(m.unit) as unit,
    first(nullif(m.caveat, '') order by m.source_row <> m.canonical_row, m.template) as caveat,
    bool_or(m.template = '2019') as in_2019,
    bool_or(m.template = '2021') as in_2021,
    row_number() over (
        order by
            list_position(
                ['art20_1', 'art20_5', 'art20_6', 'art20_8', 'art20_9', 'applications', 'review_litigation'],
                m.canonical_table
            ),
            coalesce(
                any_value(a.row_order),
                list_position(
                    ['regulations', 'normative_documents', 'licensing', 'other_admin_services', 'penalty',
                     'coercion', 'admin_fees', 'central_procurement', 'cases'],
                    m.canonical_row
                )
            ),
            list_position(
                ['issued', 'in_force', 'new_published', 'repealed', 'decisions', 'prev_year_items', 'items_change',
                 'fee_item_count_prev_year', 'fee_item_count_change', 'fee_amount_wan_yuan', 'procurement_projects',
                 'procurement_amount', 'natural_person', 'commercial_enterprise', 'research_institution',
                 'social_welfare_org', 'legal_service_org', 'other_org', 'total', 'review_upheld', 'review_corrected',
                 'review_other', 'review_pending', 'review_total', 'litigation_direct_upheld',
                 'litigation_direct_corrected', 'litigation_direct_other', 'litigation_direct_pending',
                 'litigation_direct_total', 'litigation_after_review_upheld', 'litigation_after_review_corrected',
                 'litigation_after_review_other', 'litigation_after_review_pending', 'litigation_after_review_total'],
                m.canonical_column
            ),
            m.canonical_key
    ) as measure_order
from m
left join application_order as a on m.canonical_table = 'applications' and a.row_key = m.canonical_row
group by m.canonical_key, m.canonical_table, m.canonical_row, m.canonical_column
