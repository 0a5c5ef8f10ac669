-- unique: path, sha256
-- Every (path, content) ever landed: sha256, size, first seen, and what became of it: `parsed`, `quarantined`
-- or `pending` while the file is there; `replaced` (the path now holds new content) or `deleted` once it left
-- (`deleted_at`). Rows with a `quarantine_code` and a `deleted_at` are the quarantine's history.
with parsed as (
    select distinct sha256 from loaded.reports
),

refused as (
    select sha256, arg_max(code, batch_id) as code, arg_max(reason, batch_id) as reason
    from loaded.quarantine
    where sha256 not in (select sha256 from parsed)
    group by sha256
),

present_paths as (
    select distinct path from loaded.manifest where deleted_at is null
)

select
    m.path,
    m.sha256,
    m.size_bytes,
    m.first_seen,
    m.deleted_at,
    case
        when m.deleted_at is not null and p.path is not null then 'replaced'
        when m.deleted_at is not null then 'deleted'
        when r.sha256 is not null then 'parsed'
        when q.sha256 is not null then 'quarantined'
        else 'pending'
    end as status,
    r.sha256 as report_id,
    q.code as quarantine_code,
    q.reason as quarantine_reason
from loaded.manifest as m
left join parsed as r using (sha256)
left join refused as q using (sha256)
left join present_paths as p on p.path = m.path and m.deleted_at is not null
order by m.path, m.first_seen
