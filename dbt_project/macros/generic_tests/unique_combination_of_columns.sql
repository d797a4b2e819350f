{#- The grain: no two rows share the same values of `combination_of_columns` (nulls count
    as equal, as in group by). Fails with one row per duplicated combination and its
    row count. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- if combination_of_columns is string or combination_of_columns | length < 1 -%}
    {{ exceptions.raise_compiler_error("unique_combination_of_columns: `combination_of_columns` must be a list") }}
{%- endif %}

select
    {%- for column in combination_of_columns %}
    {{ column }},
    {%- endfor %}
    count(*) as duplicate_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
