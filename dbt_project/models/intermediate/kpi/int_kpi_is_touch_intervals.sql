{#- One row per personal touch on a lead that follows an earlier touch on the same lead:
    the interval in days since that previous touch. Personal touches are completed calls
    (connected or not), completed e-mails and held meetings (a meeting is a touch at its
    start, once it has started by the as-of instant); touches by any user
    count as the previous touch. Intervals are whole days between the touch dates in the
    reporting time zone (two touches on one day: 0). The touch that ends the interval
    carries the owner, department and team that the team KPI attributes it to. -#}
with

activities as (select * from {{ ref('fct_activities') }}),
as_of as (select * from {{ ref('int_as_of') }}),

touches as (
    select
        activities.activity_id,
        activities.activity_type,
        activities.lead_id,
        activities.lead_quality,
        activities.owner_user_id,
        activities.owner_department,
        coalesce(activities.owner_team_id, 'unassigned') as owner_team_id,
        coalesce(activities.owner_team_name, 'unassigned') as owner_team_name,
        case
            when activities.activity_type = 'meeting' then activities.meeting_starts_at
            else activities.occurred_at
        end as touched_at,
        -- occurred_date is already the reporting date of occurred_at: only meetings convert.
        case
            when activities.activity_type = 'meeting' then {{ to_reporting_date('activities.meeting_starts_at') }}
            else activities.occurred_date
        end as touched_date
    from activities
    cross join as_of
    where activities.lead_id is not null
        and (
            (activities.activity_type in ('call', 'email') and activities.is_completed)
            or (
                activities.activity_type = 'meeting'
                and activities.meeting_starts_at <= as_of.as_of_at
            )
        )
),

touches_in_order as (
    select
        touches.*,
        lag(touches.activity_id) over by_time as previous_activity_id,
        lag(touches.touched_at) over by_time as previous_touched_at,
        lag(touches.touched_date) over by_time as previous_touched_date
    from touches
    window by_time as (partition by touches.lead_id order by touches.touched_at, touches.activity_id)
)

select
    activity_id,
    activity_type,
    lead_id,
    lead_quality,
    owner_user_id,
    owner_department,
    owner_team_id,
    owner_team_name,
    touched_at,
    touched_date,
    previous_activity_id,
    previous_touched_at,
    previous_touched_date,
    cast({{ dbt.datediff('previous_touched_date', 'touched_date', 'day') }} as {{ dbt.type_bigint() }}) as interval_days
from touches_in_order
where previous_activity_id is not null
