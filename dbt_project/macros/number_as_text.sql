{#- A number as the text a quality rule compares with: integral values without a
    trailing '.0' (120, not 120.0), so `in` rules on numbers read naturally. -#}
{% macro number_as_text(expression) -%}
    case
        when {{ expression }} is null then null
        when {{ expression }} = floor({{ expression }})
            then cast(cast({{ expression }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast({{ expression }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
