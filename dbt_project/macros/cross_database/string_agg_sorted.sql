{#- Aggregate: the non-null values of `expression` joined by `delimiter`, in the order
    of `order_by` (default: the values themselves), so the result is stable between
    runs and engines. `delimiter` and `order_by` are SQL expressions
    (a literal delimiter is quoted: "', '"). -#}
{% macro string_agg_sorted(expression, delimiter="','", order_by=none) -%}
    {{ return(adapter.dispatch('string_agg_sorted', 'fukan')(expression, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__string_agg_sorted(expression, delimiter, order_by) -%}
    {%- set value = 'cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {{ dbt.listagg(value, delimiter, 'order by ' ~ (order_by or value)) }}
{%- endmacro %}

{#- dbt.listagg ignores the order on Spark: sort (key, value) pairs, then join; null
    (not '') when there is no value, as on the other engines. -#}
{% macro spark__string_agg_sorted(expression, delimiter, order_by) -%}
    {%- set value = 'cast(' ~ expression ~ ' as string)' -%}
    case when count({{ value }}) > 0 then
        array_join(
            transform(
                array_sort(collect_list(
                    named_struct('sort_key', {{ order_by or value }}, 'value', {{ value }})
                )),
                item -> item.value
            ),
            {{ delimiter }}
        )
    end
{%- endmacro %}
