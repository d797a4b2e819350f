{#- What this mart and each of its columns mean: _kpi_funnel_health.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set recent_weeks = var('health_recent_weeks', 4) | int %}
{%- set baseline_weeks = var('health_baseline_weeks', 13) | int %}
{%- set volume_jump = var('health_volume_jump', 0.5) | float %}
{%- set quality_rate_drop = var('health_quality_rate_drop', 0.05) | float %}
{%- set conversion_rate_drop = var('health_conversion_rate_drop', 0.05) | float %}
{%- set min_z_score = var('health_min_z_score', 2.0) | float %}
{%- if recent_weeks < 1 or baseline_weeks < 1 %}
    {{ exceptions.raise_compiler_error("kpi_funnel_health: vars health_recent_weeks and health_baseline_weeks must be whole numbers of weeks >= 1") }}
{%- endif %}
{%- set counts = ['leads', 'quality_leads', 'leads_contacted', 'leads_appointed',
                  'handed_off', 'handoffs_to_opportunity', 'handoffs_to_proposal'] %}
{%- set rates = [
    ('quality_lead_rate', 'quality_leads', 'leads'),
    ('lead_contact_rate', 'leads_contacted', 'leads'),
    ('lead_appointment_rate', 'leads_appointed', 'leads'),
    ('handoff_opportunity_rate', 'handoffs_to_opportunity', 'handed_off'),
    ('opportunity_proposal_rate', 'handoffs_to_proposal', 'handoffs_to_opportunity'),
] %}
{%- set volumes = [('leads', 'lead'), ('handed_off', 'handoff')] %}

with

weekly as (select * from {{ ref('int_kpi_health_weekly') }}),

windows as (
    select
        weekly.*,
        row_number() over (order by weekly.week_start) as week_number,
    {%- for count in counts %}
        cast(sum({{ count }}) over (
            order by weekly.week_start rows between {{ recent_weeks - 1 }} preceding and current row
            ) as {{ dbt.type_bigint() }}) as {{ count }}_recent,
        cast(coalesce(sum({{ count }}) over (
            order by
                weekly.week_start
            rows between {{ recent_weeks + baseline_weeks - 1 }} preceding and {{ recent_weeks }} preceding
            ), 0) as {{ dbt.type_bigint() }}) as {{ count }}_baseline{{ ',' if not loop.last }}

    {%- endfor %}
    from weekly
),

figures as (
    select
        week_start,
        week_end_date,
        is_week_complete,
        week_number >= {{ recent_weeks + baseline_weeks }} as has_full_windows,
        is_lead_window_closed,
        is_handoff_window_closed,
        {%- for count in counts %}
            {{ count }},
            {{ count }}_recent,
            {{ count }}_baseline,
        {%- endfor %}
        {{ safe_divide('quality_leads', 'leads') }} as quality_lead_rate,
        {%- for rate, numerator, denominator in rates %}
            {{ safe_divide(numerator ~ '_recent', denominator ~ '_recent') }} as {{ rate }}_recent,
            {{ safe_divide(numerator ~ '_baseline', denominator ~ '_baseline') }} as {{ rate }}_baseline,
            {{ safe_divide(
                numerator ~ '_recent + ' ~ numerator ~ '_baseline',
                denominator ~ '_recent + ' ~ denominator ~ '_baseline'
            ) }}
                as {{ rate }}_pooled,
            {{ safe_divide('1', denominator ~ '_recent') }} + {{ safe_divide('1', denominator ~ '_baseline') }}
                as {{ rate }}_inverse_sizes,
        {%- endfor %}
        {#- volumes: this week against the baseline's weekly average #}
    {%- for volume, prefix in volumes %}
        {{ safe_divide(volume ~ ' * ' ~ baseline_weeks, volume ~ '_baseline') }} - 1 as {{ prefix }}_volume_change,
        (
            cast({{ volume }} as {{ type_double() }})
            - cast({{ volume }}_baseline as {{ type_double() }}) / {{ baseline_weeks }}
        )
        / nullif(sqrt(
            cast({{ volume }} as {{ type_double() }})
            + cast({{ volume }}_baseline as {{ type_double() }}) / {{ baseline_weeks * baseline_weeks }}
            ), 0)
            as {{ prefix }}_volume_z_score{{ ',' if not loop.last }}

    {%- endfor %}
    from windows
),

rate_changes as (
    select
        figures.*,
    {%- for rate, numerator, denominator in rates %}
        {{ rate }}_recent - {{ rate }}_baseline as {{ rate }}_change,
        {#- two-proportion z-score with the pooled standard error #}
        ({{ rate }}_recent - {{ rate }}_baseline)
        / nullif(sqrt({{ rate }}_pooled * (1 - {{ rate }}_pooled) * {{ rate }}_inverse_sizes), 0)
            as {{ rate }}_z_score{{ ',' if not loop.last }}

    {%- endfor %}
    from figures
),

signals as (
    select
        rate_changes.*,
        {%- for prefix in ['lead', 'handoff'] %}
            coalesce(
                rate_changes.has_full_windows
                and {{ prefix }}_volume_change >= {{ volume_jump }}
                and {{ prefix }}_volume_z_score >= {{ min_z_score }},
                false
            ) as is_{{ prefix }}_volume_up,
        {%- endfor %}
        {%- for rate, threshold in [
            ('quality_lead_rate', quality_rate_drop),
            ('lead_contact_rate', conversion_rate_drop),
            ('lead_appointment_rate', conversion_rate_drop),
            ('handoff_opportunity_rate', conversion_rate_drop),
            ('opportunity_proposal_rate', conversion_rate_drop),
        ] %}
        coalesce(
            rate_changes.has_full_windows
            and {{ rate }}_change <= -{{ threshold }}
            and {{ rate }}_z_score <= -{{ min_z_score }},
            false
        ) as is_{{ rate }}_down{{ ',' if not loop.last }}

    {%- endfor %}
    from rate_changes
),

flags as (
    select
        signals.*,
        signals.is_lead_volume_up and signals.is_quality_lead_rate_down as is_volume_up_quality_down,
        signals.is_lead_volume_up
        and signals.is_lead_window_closed
        and (signals.is_lead_contact_rate_down or signals.is_lead_appointment_rate_down)
            as is_leads_up_inside_sales_conversion_down,
        signals.is_handoff_volume_up
        and signals.is_handoff_window_closed
        and signals.is_opportunity_proposal_rate_down
            as is_handoffs_up_field_sales_conversion_down,
        signals.is_handoff_volume_up
        and signals.is_handoff_window_closed
        and (signals.is_handoff_opportunity_rate_down or signals.is_opportunity_proposal_rate_down)
            as is_handoffs_up_pipeline_down
    from signals
)

select
    week_start,
    week_end_date,
    is_week_complete,
    has_full_windows,
    -- lead volume and quality (marketing)
    leads,
    quality_leads,
    quality_lead_rate,
    leads_recent,
    quality_leads_recent,
    quality_lead_rate_recent,
    leads_baseline,
    quality_leads_baseline,
    quality_lead_rate_baseline,
    lead_volume_change,
    lead_volume_z_score,
    is_lead_volume_up,
    quality_lead_rate_change,
    quality_lead_rate_z_score,
    is_quality_lead_rate_down,
    is_volume_up_quality_down,
    -- inside sales' conversion of the lead batches
    is_lead_window_closed,
    leads_contacted_recent,
    leads_contacted_baseline,
    lead_contact_rate_recent,
    lead_contact_rate_baseline,
    lead_contact_rate_change,
    lead_contact_rate_z_score,
    is_lead_contact_rate_down,
    leads_appointed_recent,
    leads_appointed_baseline,
    lead_appointment_rate_recent,
    lead_appointment_rate_baseline,
    lead_appointment_rate_change,
    lead_appointment_rate_z_score,
    is_lead_appointment_rate_down,
    is_leads_up_inside_sales_conversion_down,
    -- hand-off volume (inside sales) and field sales' conversion of the hand-off batches
    handed_off,
    handed_off_recent,
    handed_off_baseline,
    handoff_volume_change,
    handoff_volume_z_score,
    is_handoff_volume_up,
    is_handoff_window_closed,
    handoffs_to_opportunity_recent,
    handoffs_to_opportunity_baseline,
    handoff_opportunity_rate_recent,
    handoff_opportunity_rate_baseline,
    handoff_opportunity_rate_change,
    handoff_opportunity_rate_z_score,
    is_handoff_opportunity_rate_down,
    handoffs_to_proposal_recent,
    handoffs_to_proposal_baseline,
    opportunity_proposal_rate_recent,
    opportunity_proposal_rate_baseline,
    opportunity_proposal_rate_change,
    opportunity_proposal_rate_z_score,
    is_opportunity_proposal_rate_down,
    is_handoffs_up_field_sales_conversion_down,
    -- the three warnings
    is_leads_up_inside_sales_conversion_down
    or is_handoffs_up_field_sales_conversion_down as is_handoff_jump_conversion_drop,
    is_handoffs_up_pipeline_down,
    is_volume_up_quality_down
    or is_leads_up_inside_sales_conversion_down
    or is_handoffs_up_field_sales_conversion_down
    or is_handoffs_up_pipeline_down as has_warning
from flags
