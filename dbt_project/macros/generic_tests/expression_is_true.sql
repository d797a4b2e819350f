{#- Fails on every row where `expression` is not true (false or null). With a column,
    the expression is appended to it: column `amount`, expression '>= 0'. Filter the
    rows checked with the test config `where:`. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ column_name ~ ' ' if column_name }}{{ expression }}), false)

{% endtest %}
