{#- The inside-sales count columns, in the order the models carry them: built per rep and
    day by int_kpi_inside_sales_rep_days, summed by team and period by
    int_kpi_inside_sales_team_periods, shipped by kpi_inside_sales and
    kpi_inside_sales_teams. One list, so a new count is added once. (Open and neglected
    leads are levels on a day, not counts that add up over days: not in this list.) -#}
{% macro inside_sales_counts() -%}
    {{ return([
        'calls', 'calls_on_quality_leads', 'calls_on_general_leads', 'calls_without_lead',
        'connected_calls', 'connected_calls_on_quality_leads', 'connected_calls_on_general_leads',
        'connected_calls_without_lead', 'emails', 'appointments', 'appointments_on_quality_leads',
        'appointments_on_general_leads', 'hearing_items', 'personal_touches',
        'opportunities', 'opportunities_on_quality_leads', 'opportunities_on_general_leads',
    ]) }}
{%- endmacro %}
