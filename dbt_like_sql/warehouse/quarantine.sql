-- unique: path
-- Files in the raw directory now that are not usable reports (empty, binary, undecodable, not a report, too
-- large, parse timeout), with the reason; they never stop a run. A file leaves it when its path gets new
-- content that parses (history: `file_manifest`).
with latest_refusal as (  -- of each content no parse accepted
    select
        sha256,
        arg_max(code, batch_id) as code,
        arg_max(reason, batch_id) as reason,
        arg_max(parser_version, batch_id) as parser_version
    from loaded.quarantine
    where sha256 not in (select sha256 from loaded.reports)
    group by sha256
)

select m.path, q.sha256, q.code, q.reason, q.parser_version, m.size_bytes, m.first_seen
from loaded.manifest as m
join latest_refusal as q using (sha256)
where m.deleted_at is null
order by m.path
