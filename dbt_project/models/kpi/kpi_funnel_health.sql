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
{%- set counts = ['leads', 'quality_leads', 'leads_window_closed', 'leads_contacted', 'leads_appointed',
                  'handed_off', 'handoffs_follow_window_closed', 'handoffs_followed',
                  'handoffs_window_closed', 'handoffs_to_opportunity', 'handoffs_to_proposal'] %}
{#- Lagged rates divide by the closed-window part of their batch (int_kpi_health_weekly). #}
{%- set rates = [
    ('quality_lead_rate', 'quality_leads', 'leads'),
    ('lead_contact_rate', 'leads_contacted', 'leads_window_closed'),
    ('lead_appointment_rate', 'leads_appointed', 'leads_window_closed'),
    ('handoff_follow_rate', 'handoffs_followed', 'handoffs_follow_window_closed'),
    ('opportunity_proposal_rate', 'handoffs_to_proposal', 'handoffs_to_opportunity'),
] %}
{#- Each lagged family: its window is closed when no lead or hand-off of the recent or
    baseline window is still inside it; (closed flag, batch, closed part, denominator). #}
{%- set lagged = [
    ('lead_conversion', 'is_lead_window_closed', 'leads', 'leads_window_closed', 'leads_window_closed_recent'),
    ('handoff_follow', 'is_follow_window_closed', 'handed_off', 'handoffs_follow_window_closed',
     'handoffs_follow_window_closed_recent'),
    ('handoff_pipeline', 'is_handoff_window_closed', 'handed_off', 'handoffs_window_closed',
     'handoffs_to_opportunity_recent'),
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
            ), 0) as {{ dbt.type_bigint() }}) as {{ count }}_baseline
        {{- ',' if not loop.last }}
    {%- endfor %}
    from weekly
),

figures as (
    select
        week_start,
        week_end_date,
        is_week_complete,
        week_number >= {{ recent_weeks + baseline_weeks }} as has_full_windows,
        {%- for family, closed_flag, batch, closed_part, denominator in lagged %}
            {{ batch }}_recent + {{ batch }}_baseline = {{ closed_part }}_recent + {{ closed_part }}_baseline
                as {{ closed_flag }},
        {%- endfor %}
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
            as {{ prefix }}_volume_z_score
        {{- ',' if not loop.last }}
    {%- endfor %}
    from windows
),

rate_changes as (
    select
        figures.*,
        {#- A running week or a recent window with too few new leads judges nothing;
            a lagged family also waits for its window and its own denominator. #}
        {{ immature_reason('figures.is_week_complete', 'figures.leads_recent') }} as immature_reason,
        {%- for family, closed_flag, batch, closed_part, denominator in lagged %}
            {{ immature_reason('figures.is_week_complete', 'figures.' ~ denominator, 'figures.' ~ closed_flag) }}
                as {{ family }}_immature_reason,
        {%- endfor %}
    {%- for rate, numerator, denominator in rates %}
        {{ rate }}_recent - {{ rate }}_baseline as {{ rate }}_change,
        {#- two-proportion z-score with the pooled standard error #}
        ({{ rate }}_recent - {{ rate }}_baseline)
        / nullif(sqrt({{ rate }}_pooled * (1 - {{ rate }}_pooled) * {{ rate }}_inverse_sizes), 0)
            as {{ rate }}_z_score
        {{- ',' if not loop.last }}
    {%- endfor %}
    from figures
),

signals as (
    select
        rate_changes.*,
        {%- for prefix in ['lead', 'handoff'] %}
            coalesce(
                rate_changes.has_full_windows
                and rate_changes.immature_reason is null
                and {{ prefix }}_volume_change >= {{ volume_jump }}
                and {{ prefix }}_volume_z_score >= {{ min_z_score }},
                false
            ) as is_{{ prefix }}_volume_up,
        {%- endfor %}
        {%- for rate, threshold, family in [
            ('quality_lead_rate', quality_rate_drop, none),
            ('lead_contact_rate', conversion_rate_drop, 'lead_conversion'),
            ('lead_appointment_rate', conversion_rate_drop, 'lead_conversion'),
            ('handoff_follow_rate', conversion_rate_drop, 'handoff_follow'),
            ('opportunity_proposal_rate', conversion_rate_drop, 'handoff_pipeline'),
        ] %}
        coalesce(
            rate_changes.has_full_windows
            and rate_changes.immature_reason is null
            {%- if family %}
                and rate_changes.{{ family }}_immature_reason is null
            {%- endif %}
            and {{ rate }}_change <= -{{ threshold }}
            and {{ rate }}_z_score <= -{{ min_z_score }},
            false
        ) as is_{{ rate }}_down
        {{- ',' if not loop.last }}
    {%- endfor %}
    from rate_changes
),

flags as (
    select
        signals.*,
        signals.is_lead_volume_up and signals.is_quality_lead_rate_down as is_volume_up_quality_down,
        signals.is_lead_volume_up
        and (signals.is_lead_contact_rate_down or signals.is_lead_appointment_rate_down)
            as is_leads_up_inside_sales_conversion_down,
        signals.is_handoff_volume_up and signals.is_handoff_follow_rate_down
            as is_handoffs_up_field_sales_conversion_down,
        signals.is_handoff_volume_up
        and (signals.is_handoff_follow_rate_down or signals.is_opportunity_proposal_rate_down)
            as is_handoffs_up_pipeline_down
    from signals
)

select
    week_start,
    week_end_date,
    is_week_complete,
    has_full_windows,
    cast(immature_reason as {{ dbt.type_string() }}) as immature_reason,
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
    -- inside sales' conversion of the lead batches (closed windows only)
    is_lead_window_closed,
    cast(lead_conversion_immature_reason as {{ dbt.type_string() }}) as lead_conversion_immature_reason,
    leads_window_closed_recent,
    leads_window_closed_baseline,
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
    -- field sales' follow-up of the hand-off batches (follow rate, closed windows only)
    is_follow_window_closed,
    cast(handoff_follow_immature_reason as {{ dbt.type_string() }}) as handoff_follow_immature_reason,
    handoffs_follow_window_closed_recent,
    handoffs_follow_window_closed_baseline,
    handoffs_followed_recent,
    handoffs_followed_baseline,
    handoff_follow_rate_recent,
    handoff_follow_rate_baseline,
    handoff_follow_rate_change,
    handoff_follow_rate_z_score,
    is_handoff_follow_rate_down,
    -- field sales' pipeline from the hand-off batches (closed windows only)
    is_handoff_window_closed,
    cast(handoff_pipeline_immature_reason as {{ dbt.type_string() }}) as handoff_pipeline_immature_reason,
    handoffs_window_closed_recent,
    handoffs_window_closed_baseline,
    handoffs_to_opportunity_recent,
    handoffs_to_opportunity_baseline,
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
