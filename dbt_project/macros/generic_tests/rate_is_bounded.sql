{#- A rate shipped with its denominator (KPI_SPEC.md): the rate lies in
    [min_value, max_value] (default [0, 1]) and is null exactly when the denominator is
    0 or null. With `numerator`, the rate must also equal numerator / denominator within
    `tolerance`. Fails on the offending rows. -#}
{% test rate_is_bounded(model, column_name, denominator, numerator=none,
                        min_value=0, max_value=1, tolerance=0.000001) %}

select *
from {{ model }}
where
    (({{ denominator }} is null or {{ denominator }} = 0) and {{ column_name }} is not null)
    or ({{ denominator }} <> 0 and {{ column_name }} is null)
    or {{ column_name }} < {{ min_value }}
    or {{ column_name }} > {{ max_value }}
    {%- if numerator is not none %}
    or abs({{ column_name }} - {{ fukan.safe_divide(numerator, denominator) }}) > {{ tolerance }}
    {%- endif %}

{% endtest %}
