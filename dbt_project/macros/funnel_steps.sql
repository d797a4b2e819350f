{#- The nine funnel steps in order (shared/KPI_SPEC.md). seeds/funnel_steps.csv holds
    the same list with departments and labels; a singular test keeps the two in step. -#}
{% macro funnel_steps() -%}
    {{ return(['lead', 'worked', 'contacted', 'need_confirmed', 'appointment', 'handed_off', 'opportunity', 'proposal', 'won']) }}
{%- endmacro %}
