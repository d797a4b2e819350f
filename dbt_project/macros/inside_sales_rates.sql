{#- The inside-sales rates, each as its (numerator, denominator) columns: the one
    definition kpi_inside_sales (the rates whose columns a rep-day has),
    int_kpi_inside_sales_team_periods and kpi_inside_sales_benchmarks compute them from.
    The semantic layer's ratio metrics of the same names divide the same columns of
    kpi_inside_sales (tests/test_semantic_layer.py holds them together). -#}
{% macro inside_sales_rates() -%}
    {{ return({
        'contact_rate': ('connected_calls', 'calls'),
        'appointment_rate': ('appointments', 'connected_calls'),
        'hearing_items_per_connected_call': ('hearing_items', 'connected_calls'),
        'calls_per_rep_per_worked_day': ('calls', 'rep_worked_days'),
        'neglected_lead_share': ('neglected_leads', 'open_leads'),
        'touches_per_open_lead': ('personal_touches', 'open_leads'),
        'opportunity_rate_after_meeting': ('held_meetings_with_opportunity', 'held_meetings'),
    }) }}
{%- endmacro %}
