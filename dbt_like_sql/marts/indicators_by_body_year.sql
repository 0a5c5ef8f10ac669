-- materialized: incremental_by_body
-- changes_with: staging.stg_body_reports (body_name, report_year) where is_body_primary
-- Derived indicators per body and year (primary report), each with one definition, here and in
-- docs/analyst-guide.md ("Indicators"). All on the total column (总计) of section 三 unless said otherwise:
--   disclosure_rate            = (granted + partially_granted) / total                     予以公开+部分公开 占 办理结果总计
--   denied_share               = (Σ denied_*, 8 rows) / total                              不予公开 占比
--   unable_share               = (Σ unable_*, 3 rows) / total                              无法提供 占比
--   not_processed_share        = (Σ not_processed_*, 5 rows) / total                       不予处理 占比
--   legal_person_share         = new_received over the 5 organisation columns / new_received[total]
--   review_correction_rate     = review_corrected / (review_total − review_pending)        行政复议 纠错率
--   litigation_correction_rate = (litigation_direct_corrected + litigation_after_review_corrected)
--                                / ((litigation_direct_total − litigation_direct_pending)
--                                   + (litigation_after_review_total − litigation_after_review_pending))
-- An indicator is null (never 0) when its denominator is 0 or null. A blank cell in a numerator or in a
-- subtracted pending count counts as 0 (spec §7.6); a numerator whose cells are all blank is null.
with v as (
    select * from staging.stg_canonical_values
),

parts as (
    select
        body_key,
        body_name,
        report_year,
        report_id,
        max(template) filter (where canonical_table = 'applications') as template_applications,
        max(value) filter (where canonical_key = 'applications.total.total') as applications_total,
        sum(value) filter (
            where canonical_table = 'applications' and canonical_column = 'total'
              and canonical_row in ('granted', 'partially_granted')
        ) as granted_or_partial,
        sum(value) filter (
            where canonical_table = 'applications' and canonical_column = 'total' and starts_with(canonical_row, 'denied_')
        ) as denied,
        sum(value) filter (
            where canonical_table = 'applications' and canonical_column = 'total' and starts_with(canonical_row, 'unable_')
        ) as unable,
        sum(value) filter (
            where canonical_table = 'applications' and canonical_column = 'total'
              and starts_with(canonical_row, 'not_processed_')
        ) as not_processed,
        max(value) filter (where canonical_key = 'applications.new_received.total') as new_received_total,
        sum(value) filter (
            where canonical_table = 'applications' and canonical_row = 'new_received'
              and canonical_column in (
                  'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org'
              )
        ) as new_received_legal_persons,
        max(value) filter (where canonical_key = 'review_litigation.cases.review_corrected') as review_corrected,
        max(value) filter (where canonical_key = 'review_litigation.cases.review_total')
        - coalesce(max(value) filter (where canonical_key = 'review_litigation.cases.review_pending'), 0)
            as review_decided,
        sum(value) filter (
            where canonical_key in (
                'review_litigation.cases.litigation_direct_corrected',
                'review_litigation.cases.litigation_after_review_corrected'
            )
        ) as litigation_corrected,
        max(value) filter (where canonical_key = 'review_litigation.cases.litigation_direct_total')
        - coalesce(max(value) filter (where canonical_key = 'review_litigation.cases.litigation_direct_pending'), 0)
        + max(value) filter (where canonical_key = 'review_litigation.cases.litigation_after_review_total')
        - coalesce(
            max(value) filter (where canonical_key = 'review_litigation.cases.litigation_after_review_pending'), 0
        ) as litigation_decided
    from v
    group by body_key, body_name, report_year, report_id
)

select
    body_key,
    body_name,
    report_year,
    template_applications as template,
    report_id,
    granted_or_partial / nullif(applications_total, 0) as disclosure_rate,
    denied / nullif(applications_total, 0) as denied_share,
    unable / nullif(applications_total, 0) as unable_share,
    not_processed / nullif(applications_total, 0) as not_processed_share,
    new_received_legal_persons / nullif(new_received_total, 0) as legal_person_share,
    review_corrected / nullif(review_decided, 0) as review_correction_rate,
    litigation_corrected / nullif(litigation_decided, 0) as litigation_correction_rate,
    cast(applications_total as bigint) as applications_total,
    cast(new_received_total as bigint) as new_received_total,
    cast(review_decided as bigint) as review_decided,
    cast(litigation_decided as bigint) as litigation_decided
from parts
order by body_key, report_year
