{#- The rate rule of the KPI marts, as a condition true on a row that breaks it: the rate
    is null exactly when its denominator is 0 or null, and otherwise equals numerator /
    denominator (relative tolerance 1e-9: both sides are doubles) and lies in [0, 1] for
    a share (is_share) or is at least 0 for a ratio. Arguments are SQL expressions; row_rules'
    `rates` and `ratios` apply it. -#}
{% macro rate_rule_breaks(rate, numerator, denominator, is_share=true) -%}
    not coalesce(
        case
            when {{ denominator }} is null or {{ denominator }} = 0 then {{ rate }} is null
            else {{ rate }} >= 0{% if is_share %} and {{ rate }} <= 1{% endif %}
                and abs({{ rate }} - {{ fukan.safe_divide(numerator, denominator) }}) <= 1e-9 * (1 + abs({{ rate }}))
        end,
        false
    )
{%- endmacro %}
