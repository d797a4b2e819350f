{#- The weekly batches behind the funnel-health flags, one row per ISO week of the
    reporting range (weeks without events are zero rows, so trailing windows count weeks).
    Each batch is followed over a fixed window, and its outcomes count only once its
    window has closed, beside the size of the closed part (the rate's denominator): an
    open window never shows as a low rate. Definitions: _int_kpi_health_weekly.yml. -#}
{%- set lead_window_days = var('health_lead_window_days') | int %}
{%- set handoff_window_days = var('health_handoff_window_days') | int %}
{%- set lead_window_closed =
    'cast(' ~ dbt.dateadd('day', lead_window_days, 'leads.created_date') ~ ' as date) < week_dates.as_of_date' %}
{%- set handoff_window_closed =
    'cast(' ~ dbt.dateadd('day', handoff_window_days, 'leads.handed_off_date') ~ ' as date) < week_dates.as_of_date' %}
with

leads as (select * from {{ ref('fct_leads') }}),

follow_ups as (select * from {{ ref('int_kpi_field_sales_handoff_follow_ups') }}),

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

week_dates as (
    select
        calendar_date,
        period_start as week_start,
        period_end_date as week_end_date,
        is_period_complete as is_week_complete,
        as_of_date
    from reporting_periods
    where period_grain = 'week'
),

weeks as (
    select distinct
        week_start,
        week_end_date,
        is_week_complete
    from week_dates
),

lead_batches as (
    select
        week_dates.week_start,
        count(*) as leads,
        sum(case when leads.lead_quality = 'quality' then 1 else 0 end) as quality_leads,
        sum(case when {{ lead_window_closed }} then 1 else 0 end) as leads_window_closed,
        sum(
            case
                when
                    {{ lead_window_closed }}
                    and leads.reached_contacted
                    and {{ dbt.datediff('leads.created_date', 'leads.contacted_date', 'day') }}
                    <= {{ lead_window_days }}
                    then 1
                else 0
            end
        ) as leads_contacted,
        sum(
            case
                when
                    {{ lead_window_closed }}
                    and leads.reached_appointment
                    and {{ dbt.datediff('leads.created_date', 'leads.appointment_date', 'day') }}
                    <= {{ lead_window_days }}
                    then 1
                else 0
            end
        ) as leads_appointed
    from leads
    inner join week_dates
        on leads.created_date = week_dates.calendar_date
    where leads.reached_lead
    group by week_dates.week_start
),

handoff_batches as (
    select
        week_dates.week_start,
        count(*) as handed_off,
        sum(case when follow_ups.is_follow_window_closed then 1 else 0 end) as handoffs_follow_window_closed,
        sum(
            case when follow_ups.is_follow_window_closed and follow_ups.is_followed then 1 else 0 end
        ) as handoffs_followed,
        sum(case when {{ handoff_window_closed }} then 1 else 0 end) as handoffs_window_closed,
        sum(
            case
                when
                    {{ handoff_window_closed }}
                    and leads.reached_opportunity
                    and {{ dbt.datediff('leads.handed_off_date', 'leads.opportunity_date', 'day') }}
                    <= {{ handoff_window_days }}
                    then 1
                else 0
            end
        ) as handoffs_to_opportunity,
        sum(
            case
                when
                    {{ handoff_window_closed }}
                    and leads.reached_proposal
                    and {{ dbt.datediff('leads.handed_off_date', 'leads.proposal_date', 'day') }}
                    <= {{ handoff_window_days }}
                    then 1
                else 0
            end
        ) as handoffs_to_proposal
    from leads
    inner join week_dates
        on leads.handed_off_date = week_dates.calendar_date
    left join follow_ups
        on leads.lead_id = follow_ups.lead_id
    where leads.reached_handed_off
    group by week_dates.week_start
)

select
    weeks.week_start,
    weeks.week_end_date,
    weeks.is_week_complete,
    {%- for column in ['leads', 'quality_leads', 'leads_window_closed', 'leads_contacted', 'leads_appointed'] %}
        cast(coalesce(lead_batches.{{ column }}, 0) as {{ dbt.type_bigint() }}) as {{ column }},
    {%- endfor %}
{%- for column in ['handed_off', 'handoffs_follow_window_closed', 'handoffs_followed', 'handoffs_window_closed',
                   'handoffs_to_opportunity', 'handoffs_to_proposal'] %}
    cast(coalesce(handoff_batches.{{ column }}, 0) as {{ dbt.type_bigint() }}) as {{ column }}
    {{- ',' if not loop.last }}
{%- endfor %}
from weeks
left join lead_batches
    on weeks.week_start = lead_batches.week_start
left join handoff_batches
    on weeks.week_start = handoff_batches.week_start
