{#- kpi_field_sales: per month, the hand-offs and followed hand-offs of the 'all' rows
    equal the hand-offs of int_kpi_field_sales_handoff_follow_ups whose follow-up window
    has closed, dated in that month, so no hand-off is lost or counted twice on the way.
    Fails with the month and both counts. -#}
with

field_sales as (
    select
        period_start,
        sum(handoffs) as handoffs,
        sum(followed_handoffs) as followed_handoffs
    from {{ ref('kpi_field_sales') }}
    where period_grain = 'month' and lead_quality = 'all'
    group by period_start
),

follow_ups as (
    select
        periods.period_start,
        count(*) as handoffs,
        sum(case when handoffs.is_followed then 1 else 0 end) as followed_handoffs
    from {{ ref('int_kpi_field_sales_handoff_follow_ups') }} as handoffs
    inner join {{ ref('int_kpi_reporting_periods') }} as periods
        on handoffs.handed_off_date = periods.calendar_date
    where handoffs.is_follow_window_closed and periods.period_grain = 'month'
    group by periods.period_start
)

select
    coalesce(field_sales.period_start, follow_ups.period_start) as period_start,
    field_sales.handoffs as mart_handoffs,
    follow_ups.handoffs as follow_up_handoffs,
    field_sales.followed_handoffs as mart_followed_handoffs,
    follow_ups.followed_handoffs as follow_up_followed_handoffs
from field_sales
full outer join follow_ups
    on field_sales.period_start = follow_ups.period_start
where
    coalesce(field_sales.handoffs, 0) <> coalesce(follow_ups.handoffs, 0)
    or coalesce(field_sales.followed_handoffs, 0) <> coalesce(follow_ups.followed_handoffs, 0)
