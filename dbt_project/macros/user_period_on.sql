{#- The join condition that picks, of a user's periods (int_users_department_history, or
    any relation with user_id, valid_from, valid_to as half-open dates), the one in force
    for `user_id` on `on_date` (a date in the reporting time zone). Every model that puts
    a record under its owner's department and team as of the record's day joins with
    this, so "as of the day" means one thing. -#}
{% macro user_period_on(periods, user_id, on_date) -%}
    {{ user_id }} = {{ periods }}.user_id
    and {{ on_date }} >= {{ periods }}.valid_from
    and ({{ on_date }} < {{ periods }}.valid_to or {{ periods }}.valid_to is null)
{%- endmacro %}
