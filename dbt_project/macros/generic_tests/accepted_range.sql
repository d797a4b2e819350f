{#- Fails on rows whose value lies outside [min_value, max_value] (each bound optional,
    inclusive unless min_inclusive/max_inclusive is false), and on null values when
    allow_null is false. Bounds are SQL expressions. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none,
                       min_inclusive=true, max_inclusive=true, allow_null=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("accepted_range on " ~ column_name ~ ": give min_value, max_value or both") }}
{%- endif %}

select *
from {{ model }}
where
    {% if allow_null -%}
    {{ column_name }} is not null and (
    {%- else -%}
    {{ column_name }} is null or (
    {%- endif %}
        false
        {%- if min_value is not none %}
        or not ({{ column_name }} {{ '>=' if min_inclusive else '>' }} {{ min_value }})
        {%- endif %}
        {%- if max_value is not none %}
        or not ({{ column_name }} {{ '<=' if max_inclusive else '<' }} {{ max_value }})
        {%- endif %}
    )

{% endtest %}
