{#- Fails on rows where `column_a` is true and `column_b` is not true (false or null):
    reaching a later step implies the earlier one (is_won => is_closed). Either argument
    may be a boolean SQL expression. -#}
{% test implies(model, column_a, column_b) %}

select *
from {{ model }}
where ({{ column_a }})
    and not coalesce(({{ column_b }}), false)

{% endtest %}
