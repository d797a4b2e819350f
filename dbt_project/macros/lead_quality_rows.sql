{#- The lead-quality split of a KPI mart: for every row of `keys` (a relation), one row
    per lead quality in `qualities` with the `measures` of `counts` (0 where it has none),
    plus an 'all' row with their sums. `counts` holds the measures by `join_columns`
    (key columns) and lead_quality; its rows of another quality are left out of both.
    Every mart split by lead quality builds its rows here, so a period or rep with no
    activity still shows all its rows, zero-filled, and 'all' = the sum of the classes. -#}
{% macro lead_quality_rows(keys, key_columns, join_columns, counts, measures, qualities=['quality', 'general']) -%}
{%- set listed = [] -%}
{%- for quality in qualities -%}
    {%- do listed.append("'" ~ quality ~ "'") -%}
{%- endfor -%}
select
    {%- for column in key_columns %}
    {{ keys }}.{{ column }},
    {%- endfor %}
    lead_qualities.lead_quality,
    {%- for measure in measures %}
    coalesce({{ counts }}.{{ measure }}, 0) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ keys }}
cross join (
    {%- for quality in listed %}
    select {{ quality }} as lead_quality{{ ' union all' if not loop.last }}
    {%- endfor %}
) as lead_qualities
left join {{ counts }}
    on {% for column in join_columns %}{{ keys }}.{{ column }} = {{ counts }}.{{ column }}
    and {% endfor %}lead_qualities.lead_quality = {{ counts }}.lead_quality

union all

select
    {%- for column in key_columns %}
    {{ keys }}.{{ column }},
    {%- endfor %}
    'all' as lead_quality,
    {%- for measure in measures %}
    coalesce(all_qualities.{{ measure }}, 0) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ keys }}
left join (
    select
        {%- for column in join_columns %}
        {{ column }},
        {%- endfor %}
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ counts }}
    where lead_quality in ({{ listed | join(', ') }})
    group by {{ join_columns | join(', ') }}
) as all_qualities
    on {% for column in join_columns %}{{ keys }}.{{ column }} = all_qualities.{{ column }}{{ '\n    and ' if not loop.last }}{% endfor %}
{%- endmacro %}
