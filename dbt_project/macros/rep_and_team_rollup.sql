{#- The inside-sales marts by rep and team: `relation` holds counts per period_grain,
    period_start, team_id, rep_user_id, `dimension` (e.g. sales_role) and lead_quality.
    rep_and_team_rollup adds the team's rows (rep 'all') and the rows over every value of
    the dimension ('all'): counts add up, so each total sums the rows below it. -#}
{% macro rep_and_team_rollup(relation, dimension, measures) -%}
{%- for by_rep, by_dimension in [(true, true), (true, false), (false, true), (false, false)] %}
select
    period_grain,
    period_start,
    team_id,
    {{ 'rep_user_id' if by_rep else "'all' as rep_user_id" }},
    {{ dimension if by_dimension else "'all' as " ~ dimension }},
    lead_quality,
    {%- for measure in measures %}
    sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ relation }}
group by
    period_grain,
    period_start,
    team_id,
    {%- if by_rep %}
    rep_user_id,
    {%- endif %}
    {%- if by_dimension %}
    {{ dimension }},
    {%- endif %}
    lead_quality
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- endmacro %}


{#- Every rep and team of a period in `counts` (rep_and_team_rollup's rows) with every
    one of `values` of `dimension` ('all' among them): the keys a mart zero-fills. -#}
{% macro rep_and_team_keys(counts, dimension, values) -%}
select distinct
    {{ counts }}.period_grain,
    {{ counts }}.period_start,
    {{ counts }}.team_id,
    {{ counts }}.rep_user_id,
    dimension_values.{{ dimension }}
from {{ counts }}
cross join (
    {%- for value in values %}
    select '{{ value }}' as {{ dimension }}{{ ' union all' if not loop.last }}
    {%- endfor %}
) as dimension_values
{%- endmacro %}
