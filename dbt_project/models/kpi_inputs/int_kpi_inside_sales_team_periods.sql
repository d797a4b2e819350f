{#- One row per period grain (week, month), period start and inside-sales team that had
    a rep-day or a held meeting in the period, up to the as-of date: the reps' counts
    summed, the team's productivity (calls per rep per worked day), its open and
    neglected leads on the period's last day (the as-of date for the running period),
    and the opportunity rate after held meetings whose window has closed. Periods are
    ISO weeks (Monday start) and calendar months in the reporting time zone; the current
    period is counted up to the as-of date. -#}
{%- set counts = inside_sales_counts() %}
{%- set window_days = var('meeting_to_opportunity_days') | int %}
{%- set grains = {'week': 'week_start', 'month': 'month_start'} %}
with

rep_days as (select * from {{ ref('int_kpi_inside_sales_rep_days') }}),

held_meetings as (select * from {{ ref('int_kpi_inside_sales_held_meetings') }}),

dates as (select * from {{ ref('dim_dates') }}),

as_of as (select * from {{ ref('int_as_of') }}),

as_of_date as (
    select {{ to_reporting_date('as_of_at') }} as as_of_date
    from as_of
),

period_days as (
    {%- for grain, column in grains.items() %}
        select
            '{{ grain }}' as period_grain,
            {{ column }} as period_start,
            calendar_date,
            is_business_day
        from dates
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

periods as (
    select
        period_days.period_grain,
        period_days.period_start,
        max(period_days.calendar_date) as period_end_date,
        sum(case when period_days.is_business_day then 1 else 0 end) as business_days_in_period,
        sum(
            case
                when period_days.is_business_day and period_days.calendar_date <= as_of_date.as_of_date then 1 else 0
            end
        ) as business_days,
        max(as_of_date.as_of_date) as as_of_date,
        -- The day the open and neglected leads are counted on.
        least(max(period_days.calendar_date), max(as_of_date.as_of_date)) as snapshot_date
    from period_days
    cross join as_of_date
    where period_days.period_start <= as_of_date.as_of_date
    group by period_days.period_grain, period_days.period_start
),

rep_days_by_period as (
    {%- for grain, column in grains.items() %}
        select
            '{{ grain }}' as period_grain,
            rep_days.{{ column }} as period_start,
            rep_days.calendar_date = periods.snapshot_date as is_snapshot_date,
            rep_days.*
        from rep_days
        inner join periods
            on
                periods.period_grain = '{{ grain }}'
                and rep_days.{{ column }} = periods.period_start
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

rep_periods as (
    select
        period_grain,
        period_start,
        team_id,
        team_name,
        rep_user_id,
        {%- for count in counts %}
            sum({{ count }}) as {{ count }},
        {%- endfor %}
        sum(case when is_worked_day then 1 else 0 end) as worked_days,
        sum(case when is_snapshot_date then open_leads else 0 end) as open_leads,
        sum(case when is_snapshot_date then neglected_leads else 0 end) as neglected_leads
    from rep_days_by_period
    group by period_grain, period_start, team_id, team_name, rep_user_id
),

team_activity as (
    select
        period_grain,
        period_start,
        team_id,
        team_name,
        count(*) as reps,
        sum(case when calls > 0 then 1 else 0 end) as active_reps,
        sum(case when calls > 0 then worked_days else 0 end) as rep_worked_days,
        sum(open_leads) as open_leads,
        sum(neglected_leads) as neglected_leads,
    {%- for count in counts %}
        sum({{ count }}) as {{ count }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from rep_periods
    group by period_grain, period_start, team_id, team_name
),

team_meetings as (
    {%- for grain, column in grains.items() %}
        select
            '{{ grain }}' as period_grain,
            dates.{{ column }} as period_start,
            held_meetings.owner_team_id as team_id,
            held_meetings.owner_team_name as team_name,
            count(*) as held_meetings,
            sum(case when held_meetings.has_opportunity_in_window then 1 else 0 end) as held_meetings_with_opportunity
        from held_meetings
        inner join dates
            on held_meetings.held_date = dates.calendar_date
        -- Only meetings whose window has closed: a younger one may still convert.
        where held_meetings.is_window_closed
        group by dates.{{ column }}, held_meetings.owner_team_id, held_meetings.owner_team_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

team_period_keys as (
    select
        period_grain,
        period_start,
        team_id,
        team_name
    from team_activity
    union
    select
        period_grain,
        period_start,
        team_id,
        team_name
    from team_meetings
),

team_periods as (
    select
        team_period_keys.period_grain,
        team_period_keys.period_start,
        periods.period_end_date,
        periods.period_end_date <= periods.as_of_date as is_period_complete,
        -- Every meeting of the period has had its full window by the as-of date.
        cast({{ dbt.dateadd('day', window_days, 'periods.period_end_date') }} as date) < periods.as_of_date
            as is_meeting_window_closed,
        team_period_keys.team_id,
        team_period_keys.team_name,
        coalesce(team_activity.reps, 0) as reps,
        coalesce(team_activity.active_reps, 0) as active_reps,
        periods.business_days,
        periods.business_days_in_period,
        coalesce(team_activity.rep_worked_days, 0) as rep_worked_days,
        {%- for count in counts %}
            coalesce(team_activity.{{ count }}, 0) as {{ count }},
        {%- endfor %}
        coalesce(team_activity.open_leads, 0) as open_leads,
        coalesce(team_activity.neglected_leads, 0) as neglected_leads,
        coalesce(team_meetings.held_meetings, 0) as held_meetings,
        coalesce(team_meetings.held_meetings_with_opportunity, 0) as held_meetings_with_opportunity
    from team_period_keys
    inner join periods
        on
            team_period_keys.period_grain = periods.period_grain
            and team_period_keys.period_start = periods.period_start
    left join team_activity
        on
            team_period_keys.period_grain = team_activity.period_grain
            and team_period_keys.period_start = team_activity.period_start
            and team_period_keys.team_id = team_activity.team_id
    left join team_meetings
        on
            team_period_keys.period_grain = team_meetings.period_grain
            and team_period_keys.period_start = team_meetings.period_start
            and team_period_keys.team_id = team_meetings.team_id
)

select
    team_periods.*,
{%- for rate, (numerator, denominator) in inside_sales_rates().items() %}
    {{ safe_divide(numerator, denominator) }} as {{ rate }}
    {{- ',' if not loop.last }}
{%- endfor %}
from team_periods
