{#- What this mart and each of its columns mean: _kpi_pipeline.yml, the one place its
    KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set movements = ['created', 'reopened', 'pulled_in', 'pushed_out', 'won', 'lost'] %}
with

periods as (select * from {{ ref('int_kpi_pipeline_periods') }}),

intervals as (select * from {{ ref('int_opportunity_history_intervals') }}),

states as (select * from {{ ref('int_kpi_pipeline_states') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

users as (select * from {{ ref('int_users_department_history') }}),

dates as (select * from {{ ref('dim_dates') }}),

{#- Each day of each period: a change joins its periods on its date (an equi-join; a
    range join of every change with every period costs more than the rest). #}

period_days as (
    select
        periods.period_grain,
        periods.period_start,
        periods.period_end_date,
        dates.calendar_date
    from periods
    inner join dates
        on dates.calendar_date between periods.period_start and periods.period_end_date
),

{#- The days the pipeline of a period is read: its start, and its close. #}

period_reads as (
    select
        period_grain,
        period_start,
        period_end_date,
        period_start as read_date,
        'start' as movement
    from periods

    union all

    select
        period_grain,
        period_start,
        period_end_date,
        closing_read_date as read_date,
        'end' as movement
    from periods
    where closing_read_date <> period_start
),

changes as (
    select
        opportunity_id,
        interval_number,
        valid_from_date as change_date,
        is_open,
        is_won,
        is_lost,
        coalesce(amount, 0) as amount,
        close_date,
        lag(is_open) over (partition by opportunity_id order by interval_number) as previous_is_open,
        coalesce(lag(amount) over (partition by opportunity_id order by interval_number), 0) as previous_amount,
        lag(close_date) over (partition by opportunity_id order by interval_number) as previous_close_date
    from intervals
),

{#- Each change, for the period of each grain it falls in: was the opportunity in that
    period's pipeline (open, closing in the period) before the change, and after it? #}

period_changes as (
    select
        period_days.period_grain,
        period_days.period_start,
        changes.opportunity_id,
        changes.interval_number,
        changes.is_won,
        changes.is_lost,
        changes.amount,
        changes.previous_amount,
        coalesce(
            changes.previous_is_open
            and changes.previous_close_date between period_days.period_start and period_days.period_end_date,
            false
        ) as was_in_pipeline,
        coalesce(
            changes.is_open and changes.close_date between period_days.period_start and period_days.period_end_date,
            false
        ) as is_in_pipeline,
        coalesce(changes.previous_is_open, false) as was_open
    from changes
    inner join period_days
        on changes.change_date = period_days.calendar_date
),

classified as (
    select
        period_grain,
        period_start,
        opportunity_id,
        case
            when interval_number = 1 and is_in_pipeline then 'created'
            when interval_number > 1 and not was_open and is_in_pipeline then 'reopened'
            when was_open and not was_in_pipeline and is_in_pipeline then 'pulled_in'
            when was_in_pipeline and not is_in_pipeline and is_won then 'won'
            when was_in_pipeline and not is_in_pipeline and is_lost then 'lost'
            when was_in_pipeline and not is_in_pipeline then 'pushed_out'
        end as movement,
        case
            when was_in_pipeline and not is_in_pipeline and not is_won and not is_lost then previous_amount
            when was_in_pipeline or is_in_pipeline then amount
            else 0
        end as movement_amount,
        case
            when was_in_pipeline and (is_in_pipeline or is_won or is_lost) then amount - previous_amount
            else 0
        end as amount_change
    from period_changes
    where was_in_pipeline or is_in_pipeline
),

{#- The pipeline of a period at its start and at its close: open, closing in the period. #}

standing as (
    select
        period_reads.period_grain,
        period_reads.period_start,
        states.opportunity_id,
        period_reads.movement,
        states.amount as movement_amount,
        0 as amount_change
    from period_reads
    inner join states
        on period_reads.read_date = states.read_date
    where
        states.is_open
        and states.close_date between period_reads.period_start and period_reads.period_end_date
),

movements as (
    select * from standing
    union all
    select * from classified
),

by_owner as (
    select
        movements.period_grain,
        movements.period_start,
        opportunities.owner_user_id,
        sum(case when movements.movement = 'start' then 1 else 0 end) as start_opportunities,
        sum(case when movements.movement = 'start' then movements.movement_amount else 0 end) as start_amount,
        {%- for movement in movements %}
            sum(case when movements.movement = '{{ movement }}' then 1 else 0 end) as {{ movement }}_opportunities,
            sum(case when movements.movement = '{{ movement }}' then movements.movement_amount else 0 end)
                as {{ movement }}_amount,
        {%- endfor %}
        sum(movements.amount_change) as amount_change,
        sum(case when movements.movement = 'end' then 1 else 0 end) as end_opportunities,
        sum(case when movements.movement = 'end' then movements.movement_amount else 0 end) as end_amount
    from movements
    inner join opportunities
        on movements.opportunity_id = opportunities.opportunity_id
    group by movements.period_grain, movements.period_start, opportunities.owner_user_id
)

select
    cast(periods.period_grain as {{ dbt.type_string() }}) as period_grain,
    periods.period_start,
    periods.period_end_date,
    periods.is_period_complete,
    cast(by_owner.owner_user_id as {{ dbt.type_string() }}) as owner_user_id,
    cast(coalesce(users.department, 'unassigned') as {{ dbt.type_string() }}) as owner_department,
    cast(coalesce(users.team_name, 'unassigned') as {{ dbt.type_string() }}) as owner_team_name,
    cast(by_owner.start_opportunities as {{ dbt.type_bigint() }}) as start_opportunities,
    cast(by_owner.start_amount as {{ type_double() }}) as start_amount,
    {%- for movement in movements %}
        cast(by_owner.{{ movement }}_opportunities as {{ dbt.type_bigint() }}) as {{ movement }}_opportunities,
        cast(by_owner.{{ movement }}_amount as {{ type_double() }}) as {{ movement }}_amount,
    {%- endfor %}
    cast(by_owner.amount_change as {{ type_double() }}) as amount_change,
    cast(by_owner.end_opportunities as {{ dbt.type_bigint() }}) as end_opportunities,
    cast(by_owner.end_amount as {{ type_double() }}) as end_amount
from by_owner
inner join periods
    on by_owner.period_grain = periods.period_grain and by_owner.period_start = periods.period_start
left join users
    on {{ user_period_on('users', 'by_owner.owner_user_id', 'periods.period_start') }}
