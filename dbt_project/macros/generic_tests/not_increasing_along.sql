{#- Funnel shape: along the ordered list `columns`, no value exceeds the one before it
    (leads >= worked >= ... >= won). Fails on rows where one does. A pair with a null is
    not compared: pair this test with not_null. -#}
{% test not_increasing_along(model, columns) %}

{%- if columns is string or columns | length < 2 -%}
    {{ exceptions.raise_compiler_error("not_increasing_along: `columns` must be a list of at least two columns") }}
{%- endif %}

select *
from {{ model }}
where
    {%- for column in columns[1:] %}
    {{ column }} > {{ columns[loop.index0] }}{{ ' or' if not loop.last }}
    {%- endfor %}

{% endtest %}
