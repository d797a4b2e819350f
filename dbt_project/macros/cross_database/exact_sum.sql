{#- Aggregate: the sum of a non-integer expression (a probability-weighted count or
    amount) as a double that does not depend on the order the rows are added in. A sum
    of doubles does (0.1 + 0.2 + 0.3 differs from 0.3 + 0.2 + 0.1 in the last bit), and
    the order is the engine's: a full and an incremental build, or two engines, would
    disagree. Each value is rounded to 10 decimals and summed as an exact decimal. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 10))) as {{ fukan.type_double() }})
{%- endmacro %}
