{#- True for an appointment (商談獲得): a meeting booked on a lead (who_id the lead or its
    converted contact) by an owner who was in inside sales on the booking day. It counts
    on its booking instant, occurred_at (the event's creation), not on the meeting's start.
    `activities` is the alias of int_activities_classified or fct_activities rows;
    `owner_department` the owner's department on the booking day (fct_activities carries
    it as owner_department; a model on int_activities_classified joins
    int_users_department_history with user_period_on). `appointments` counts these
    meetings; the funnel step appointment is a lead's first. -#}
{% macro is_appointment(activities, owner_department=none) -%}
    ({{ activities }}.activity_type = 'meeting'
    and {{ activities }}.lead_id is not null
    and {{ owner_department or activities ~ '.owner_department' }} = 'inside_sales')
{%- endmacro %}
