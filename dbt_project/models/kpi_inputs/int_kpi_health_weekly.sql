{#- The weekly figures behind the funnel-health flags, one row per ISO week of the
    reporting range (weeks without events are zero rows, so trailing windows count weeks).
    Two batches per week, each followed over a fixed conversion window so that an old
    week and a recent one are measured alike and a week's figures stop changing once its
    window has closed:
      lead batch    - leads created in the week (marketing's volume) and how many of
                      them inside sales contacted / booked an appointment for within
                      var health_lead_window_days of creation;
      hand-off batch - leads handed off in the week (inside sales' volume) and how many
                      of them became an opportunity / reached a proposal within
                      var health_handoff_window_days of the hand-off. -#}
{%- set lead_window_days = var('health_lead_window_days', 14) | int %}
{%- set handoff_window_days = var('health_handoff_window_days', 90) | int %}
with

leads as (select * from {{ ref('fct_leads') }}),
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
        is_week_complete,
        as_of_date
    from week_dates
),

lead_batches as (
    select
        week_dates.week_start,
        count(*) as leads,
        sum(case when leads.lead_quality = 'quality' then 1 else 0 end) as quality_leads,
        sum(
            case
                when leads.reached_contacted
                    and {{ dbt.datediff('leads.created_date', 'leads.contacted_date', 'day') }}
                    <= {{ lead_window_days }}
                    then 1
                else 0
            end
        ) as leads_contacted,
        sum(
            case
                when leads.reached_appointment
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
        sum(
            case
                when leads.reached_opportunity
                    and {{ dbt.datediff('leads.handed_off_date', 'leads.opportunity_date', 'day') }}
                    <= {{ handoff_window_days }}
                    then 1
                else 0
            end
        ) as handoffs_to_opportunity,
        sum(
            case
                when leads.reached_proposal
                    and {{ dbt.datediff('leads.handed_off_date', 'leads.proposal_date', 'day') }}
                    <= {{ handoff_window_days }}
                    then 1
                else 0
            end
        ) as handoffs_to_proposal
    from leads
    inner join week_dates
        on leads.handed_off_date = week_dates.calendar_date
    where leads.reached_handed_off
    group by week_dates.week_start
)

select
    weeks.week_start,
    weeks.week_end_date,
    weeks.is_week_complete,
    cast(coalesce(lead_batches.leads, 0) as {{ dbt.type_bigint() }}) as leads,
    cast(coalesce(lead_batches.quality_leads, 0) as {{ dbt.type_bigint() }}) as quality_leads,
    cast(coalesce(lead_batches.leads_contacted, 0) as {{ dbt.type_bigint() }}) as leads_contacted,
    cast(coalesce(lead_batches.leads_appointed, 0) as {{ dbt.type_bigint() }}) as leads_appointed,
    cast({{ dbt.dateadd('day', lead_window_days, 'weeks.week_end_date') }} as date) <= weeks.as_of_date
        as is_lead_window_closed,
    cast(coalesce(handoff_batches.handed_off, 0) as {{ dbt.type_bigint() }}) as handed_off,
    cast(coalesce(handoff_batches.handoffs_to_opportunity, 0) as {{ dbt.type_bigint() }}) as handoffs_to_opportunity,
    cast(coalesce(handoff_batches.handoffs_to_proposal, 0) as {{ dbt.type_bigint() }}) as handoffs_to_proposal,
    cast({{ dbt.dateadd('day', handoff_window_days, 'weeks.week_end_date') }} as date) <= weeks.as_of_date
        as is_handoff_window_closed
from weeks
left join lead_batches
    on weeks.week_start = lead_batches.week_start
left join handoff_batches
    on weeks.week_start = handoff_batches.week_start
