{#- Step timestamps happen in order: along the ordered list `columns`, no timestamp is
    earlier than one listed before it. Nulls (steps not reached) are skipped, so the
    comparison is between every pair of non-null values. Fails on rows out of order. -#}
{% test non_decreasing_timestamps(model, columns) %}

{%- if columns is string or columns | length < 2 -%}
    {{ exceptions.raise_compiler_error("non_decreasing_timestamps: `columns` must be a list of at least two columns") }}
{%- endif %}

select *
from {{ model }}
where
    {%- for earlier in columns %}
    {%- set outer = loop %}
    {%- for later in columns[outer.index:] %}
    {{ earlier }} > {{ later }} or
    {%- endfor %}
    {%- endfor %}
    false

{% endtest %}
