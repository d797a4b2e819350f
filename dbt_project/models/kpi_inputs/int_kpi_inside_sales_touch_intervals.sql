{#- One row per personal touch on a lead (macro personal_touches: completed calls,
    connected or not, completed e-mails and held meetings - a meeting is a touch at its
    start, once it has started by the as-of instant), with the touch before it on the
    same lead by any user and the whole days between their dates in the reporting time
    zone (two touches on one day: 0; null on the lead's first touch). The touch carries
    the owner, department and team that the team KPI attributes its interval to.

    Incremental: the pre-hook deletes the rows of every lead whose touches may have
    changed (macro delete_leads_with_changed_touches), and the build appends the touches
    of the leads the model does not hold, ordered again over all their touches. -#}
{{ config(
    incremental_strategy='append',
    pre_hook="{{ delete_leads_with_changed_touches() }}",
) }}
with

touches as (
    {{ personal_touches() }}
),
{% if is_incremental() %}
-- The leads first, then their touches. DuckDB materialises `touches`, read twice here
-- (about 2 s on 10M touches); of the alternatives measured only `not in` was faster,
-- and it is a trap on PostgreSQL (bench/RESULTS.md).
leads_to_build as (
    select lead_id from touches
    except
    select lead_id from {{ this }}
),

touches_to_build as (
    select * from touches
    where lead_id in (select lead_id from leads_to_build)
),
{% endif %}
touches_in_order as (
    select
        *,
        lag(activity_id) over by_time as previous_activity_id,
        lag(touched_at) over by_time as previous_touched_at,
        lag(touched_date) over by_time as previous_touched_date
    from {{ 'touches_to_build' if is_incremental() else 'touches' }}
    window by_time as (partition by lead_id order by touched_at, activity_id)
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
    cast(
        {{ dbt.datediff('previous_touched_date', 'touched_date', 'day') }}
        as {{ dbt.type_bigint() }}
    ) as interval_days
from touches_in_order
