{#- Why a KPI value is too young to be compared with a benchmark or to raise a flag, or
    null when it is mature. A value is immature while its period is running, while the
    window of a lagged rate is still open (its outcome can still happen), or while its
    denominator is below var('min_denominator') (too few cases to mean anything). Every
    mart that carries a status or a flag sets status 'immature' with this reason and
    raises nothing. Arguments are SQL expressions; `window_closed` is optional. -#}
{% macro immature_reason(is_period_complete, denominator, window_closed=none) -%}
    case
        when not coalesce({{ is_period_complete }}, false) then 'period_not_complete'
        {%- if window_closed is not none %}
        when not coalesce({{ window_closed }}, false) then 'window_open'
        {%- endif %}
        when coalesce({{ denominator }}, 0) < {{ var('min_denominator') }} then 'denominator_below_minimum'
    end
{%- endmacro %}

{#- Chance (0-1) that an open opportunity is won, for the probability-weighted 着地見込:
    by forecast category (seed forecast_category_mapping) when var('win_probability_basis')
    is 'forecast_category' and the category maps, else by stage (seed
    opportunity_stage_mapping.win_probability). Arguments are the two looked-up
    probabilities as SQL expressions (null when the lookup found nothing). -#}
{% macro win_probability(stage_probability, category_probability) -%}
    {%- if var('win_probability_basis') == 'forecast_category' -%}
        coalesce({{ category_probability }}, {{ stage_probability }})
    {%- elif var('win_probability_basis') == 'stage' -%}
        {{ stage_probability }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var win_probability_basis must be 'forecast_category' or 'stage', not " ~ var('win_probability_basis')) }}
    {%- endif -%}
{%- endmacro %}
