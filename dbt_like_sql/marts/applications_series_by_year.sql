-- The main cross-year series (charted by the asset `charts/applications_series`): per year and format, how
-- many bodies reported (primary reports) and how many new applications (本年新收, new_received) they
-- received from natural persons, from legal persons and other organisations (the five organisation columns,
-- derived), and in total. new_received is exact across the formats (spec §8.1), so the years form one series;
-- the number of bodies changes from year to year, so compare totals with `bodies` in view.
select
    report_year,
    template,
    count(distinct body_key) as bodies,
    cast(sum(natural_person) as bigint) as new_natural_person,
    cast(sum(legal_person_total) as bigint) as new_legal_person,
    cast(sum(total) as bigint) as new_total
from marts.applications_by_body_year
where outcome = 'new_received'
group by report_year, template
order by report_year, template
