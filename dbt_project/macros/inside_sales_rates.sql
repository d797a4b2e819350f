{#- The inside-sales rates, each as its (numerator, denominator) count columns: the one
    definition kpi_inside_sales (the rates whose counts a rep-day has),
    int_kpi_inside_sales_team_periods and kpi_inside_sales_benchmarks compute them from.
    The semantic layer's ratio metrics of the same names divide the same columns of
    kpi_inside_sales (tests/test_semantic_layer.py holds them together). -#}
{% macro inside_sales_rates() -%}
    {{ return({
        'contact_rate': ('connected_calls', 'calls'),
        'appointment_rate': ('appointments', 'connected_calls'),
        'hearing_items_per_connected_call': ('hearing_items', 'connected_calls'),
        'calls_per_rep_per_business_day': ('calls', 'rep_business_days'),
        'touch_interval_days': ('touch_interval_days_total', 'touch_intervals'),
        'opportunity_rate_after_meeting': ('held_meeting_leads_with_opportunity', 'held_meeting_leads'),
    }) }}
{%- endmacro %}
