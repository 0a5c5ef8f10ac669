-- unique: report_id
-- One row per report version (report_id = sha256 of the raw bytes): organization, `body_key`, year, template,
-- encoding, publication date, source file. Versions of one report (same body and report_year, different
-- bytes): the newest present one `is_current` (status `current`), the others are `superseded`
-- (`superseded_by`) or `deleted` (`deleted_at`). A version with no parsed cell (`no_cells`: a prose-only or
-- unreadable report) is never current while a version with cells is there; it is a problem (report_problems).
--
-- Every report is read from exactly one parse batch (`batch_id`: the current parser version, then the latest
-- batch), and every fact, finding and check row joins on (report_id, batch_id): a content parsed twice is
-- never counted twice. `body_key` comes from loaded.body_keys (the rule of pipeline/bodies.py over every
-- organization name loaded).
with files as (
    select
        sha256,
        min(path) filter (where deleted_at is null) as present_path,
        min(path) as any_path,
        count(*) filter (where deleted_at is null) as n_paths,
        min(first_seen) as first_seen,
        any_value(size_bytes) as size_bytes,
        bool_or(deleted_at is null) as present,
        max(deleted_at) as last_deleted_at
    from loaded.manifest
    group by sha256
),

parses as (  -- one parse per report: the current parser version, then the latest batch
    select * replace (try_cast(published_on as date) as published_on)
    from loaded.reports
    qualify row_number() over (
        partition by report_id
        order by parser_version = (select parser_version from loaded.current_parser) desc, batch_id desc
    ) = 1
),

reports as (
    select
        r.*,
        coalesce(f.present_path, f.any_path, r.file) as source_file,
        coalesce(f.n_paths, 0) as n_paths,
        f.first_seen,
        f.size_bytes,
        coalesce(f.present, false) as present,
        case when not coalesce(f.present, false) then f.last_deleted_at end as deleted_at,
        k.body_key,
        case
            when k.body_key is null or r.report_year is null then r.report_id
            else k.body_key || '|' || r.report_year
        end as version_group
    from parses as r
    left join files as f on f.sha256 = r.report_id
    left join loaded.body_keys as k on k.organization = r.organization
),

ranked as (
    select
        *,
        present and row_number() over (
            partition by version_group
            order by present desc, n_cells > 0 desc, published_on desc nulls last, first_seen desc nulls last,
                report_id desc
        ) = 1 as is_current,
        row_number() over (
            partition by version_group
            order by published_on nulls first, first_seen nulls first, report_id
        ) as version,
        count(*) over (partition by version_group) as n_versions
    from reports
)

select
    report_id, organization, body_key, report_year, template,
    encoding, encoding_confidence, published_on, source_file, sha256, size_bytes, n_paths,
    first_seen, is_current,
    case when is_current then 'current' when present then 'superseded' else 'deleted' end as status,
    version, n_versions,
    case
        when not is_current then max(case when is_current then report_id end) over (partition by version_group)
    end as superseded_by,
    deleted_at, input_format, layout, table_templates, parser_version, n_cells, coalesce(n_cells, 0) = 0 as no_cells,
    n_findings, batch_id
from ranked
order by report_year, organization, report_id
