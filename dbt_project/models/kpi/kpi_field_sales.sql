{#- What this mart and each of its columns mean: _kpi_field_sales.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set measures = ['opportunities', 'opportunities_with_proposal', 'proposals', 'won', 'lost',
                    'won_amount', 'lost_amount', 'cycle_days_total', 'handoffs', 'followed_handoffs'] %}
{#- Per kind of event: its rows, the date it counts on, which of them, {measure: value}. -#}
{%- set events = [
    ('classified', 'created_date', none,
        {'opportunities': '1', 'opportunities_with_proposal': 'case when has_proposal then 1 else 0 end'}),
    ('classified', 'proposal_date', 'has_proposal', {'proposals': '1'}),
    ('classified', 'closed_date', 'is_won or is_lost', {
        'won': 'case when is_won then 1 else 0 end',
        'lost': 'case when is_lost then 1 else 0 end',
        'won_amount': 'case when is_won then amount else 0 end',
        'lost_amount': 'case when is_lost then amount else 0 end',
        'cycle_days_total': 'coalesce(cycle_days, 0)',
    }),
    ('handoffs', 'handed_off_date', none,
        {'handoffs': '1', 'followed_handoffs': 'case when is_followed then 1 else 0 end'}),
] %}
with

opportunities as (select * from {{ ref('fct_opportunities') }}),

users as (select * from {{ ref('dim_users') }}),

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

-- A hand-off enters the follow rate once its follow-up window has closed.
handoffs as (
    select * from {{ ref('int_kpi_field_sales_handoff_follow_ups') }}
    where is_follow_window_closed
),

classified as (
    select
        opportunity_id,
        owner_user_id,
        case when origin = 'not_lead_sourced' then 'not_lead_sourced' else lead_quality end as lead_quality,
        created_date,
        proposal_date,
        closed_date,
        has_proposal,
        is_won,
        is_lost,
        cast(coalesce(amount, 0) as {{ dbt.type_numeric() }}) as amount,
        cycle_days
    from opportunities
),

-- Each event counts on its own date (created, proposal, close, hand-off), zero in the
-- measures it does not carry.
dated_events as (
    {%- for source, event_date, condition, values in events %}
        select
            owner_user_id,
            lead_quality,
            {%- for measure in measures %}
                {{ values.get(measure, '0') }} as {{ measure }},
            {%- endfor %}
            {{ event_date }} as event_date
        from {{ source }}
        {%- if condition %}
            where {{ condition }}
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

counts as (
    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        dated_events.owner_user_id,
        {%- for measure in measures %}
            sum(dated_events.{{ measure }}) as {{ measure }},
        {%- endfor %}
        dated_events.lead_quality
    from dated_events
    inner join reporting_periods
        on dated_events.event_date = reporting_periods.calendar_date
    where reporting_periods.period_grain in ('month', 'fiscal_quarter')
    group by
        reporting_periods.period_grain,
        reporting_periods.period_start,
        dated_events.owner_user_id,
        dated_events.lead_quality
),

periods as (
    select distinct
        period_grain,
        period_start,
        period_end_date,
        is_period_complete
    from reporting_periods
    where period_grain in ('month', 'fiscal_quarter')
),

rep_periods as (
    select distinct
        period_grain,
        period_start,
        owner_user_id
    from counts
),

counts_with_all as (
    {{ lead_quality_rows(
        keys='rep_periods',
        key_columns=['period_grain', 'period_start', 'owner_user_id'],
        join_columns=['period_grain', 'period_start', 'owner_user_id'],
        counts='counts',
        measures=measures,
        qualities=['quality', 'general', 'not_lead_sourced'],
    ) | indent(4) }}
),

-- A median does not add up over the quality classes: each class and 'all' on its own.
follow_up_days as (
    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        handoffs.owner_user_id,
        handoffs.lead_quality,
        handoffs.business_days_to_follow_up
    from handoffs
    inner join reporting_periods
        on handoffs.handed_off_date = reporting_periods.calendar_date
    where
        reporting_periods.period_grain in ('month', 'fiscal_quarter')
        and handoffs.is_followed
),

median_follow_up_days as (
    select
        period_grain,
        period_start,
        owner_user_id,
        lead_quality,
        {{ median('business_days_to_follow_up') }} as median_business_days_to_follow_up
    from follow_up_days
    group by
        period_grain,
        period_start,
        owner_user_id,
        lead_quality
    union all
    select
        period_grain,
        period_start,
        owner_user_id,
        'all' as lead_quality,
        {{ median('business_days_to_follow_up') }} as median_business_days_to_follow_up
    from follow_up_days
    group by
        period_grain,
        period_start,
        owner_user_id
),

owner_periods as (
    select
        user_id,
        valid_from,
        valid_to,
        user_name,
        department,
        team_name,
        is_active
    from users
)

select
    cast(counts_with_all.period_grain as {{ dbt.type_string() }}) as period_grain,
    counts_with_all.period_start,
    periods.period_end_date,
    periods.is_period_complete,
    cast(counts_with_all.owner_user_id as {{ dbt.type_string() }}) as owner_user_id,
    cast(owner_periods.user_name as {{ dbt.type_string() }}) as owner_name,
    cast(coalesce(owner_periods.department, 'unassigned') as {{ dbt.type_string() }}) as owner_department,
    cast(owner_periods.team_name as {{ dbt.type_string() }}) as owner_team_name,
    coalesce(owner_periods.is_active, false) as is_owner_active,
    cast(counts_with_all.lead_quality as {{ dbt.type_string() }}) as lead_quality,
    cast(counts_with_all.opportunities as {{ dbt.type_bigint() }}) as opportunities,
    cast(counts_with_all.opportunities_with_proposal as {{ dbt.type_bigint() }}) as opportunities_with_proposal,
    {{ safe_divide('counts_with_all.opportunities_with_proposal', 'counts_with_all.opportunities') }} as proposal_rate,
    cast(counts_with_all.proposals as {{ dbt.type_bigint() }}) as proposals,
    cast(counts_with_all.won as {{ dbt.type_bigint() }}) as won,
    cast(counts_with_all.lost as {{ dbt.type_bigint() }}) as lost,
    cast(counts_with_all.won + counts_with_all.lost as {{ dbt.type_bigint() }}) as closed,
    {{ safe_divide('counts_with_all.won', 'counts_with_all.won + counts_with_all.lost') }} as win_rate_by_count,
    cast(counts_with_all.won_amount as {{ type_double() }}) as won_amount,
    cast(counts_with_all.lost_amount as {{ type_double() }}) as lost_amount,
    cast(counts_with_all.won_amount + counts_with_all.lost_amount as {{ type_double() }}) as closed_amount,
    {{ safe_divide('counts_with_all.won_amount', 'counts_with_all.won_amount + counts_with_all.lost_amount') }}
        as win_rate_by_amount,
    {{ safe_divide('counts_with_all.won_amount', 'counts_with_all.won') }} as average_deal_size,
    cast(counts_with_all.cycle_days_total as {{ dbt.type_bigint() }}) as cycle_days_total,
    {{ safe_divide('counts_with_all.cycle_days_total', 'counts_with_all.won + counts_with_all.lost') }}
        as average_cycle_days,
    cast(counts_with_all.handoffs as {{ dbt.type_bigint() }}) as handoffs,
    cast(counts_with_all.followed_handoffs as {{ dbt.type_bigint() }}) as followed_handoffs,
    {{ safe_divide('counts_with_all.followed_handoffs', 'counts_with_all.handoffs') }} as follow_rate,
    median_follow_up_days.median_business_days_to_follow_up
from counts_with_all
inner join periods
    on
        counts_with_all.period_grain = periods.period_grain
        and counts_with_all.period_start = periods.period_start
left join median_follow_up_days
    on
        counts_with_all.period_grain = median_follow_up_days.period_grain
        and counts_with_all.period_start = median_follow_up_days.period_start
        and counts_with_all.owner_user_id = median_follow_up_days.owner_user_id
        and counts_with_all.lead_quality = median_follow_up_days.lead_quality
-- The rep's department and team as they were on the period's last day.
left join owner_periods
    on {{ user_period_on('owner_periods', 'counts_with_all.owner_user_id', 'periods.period_end_date') }}
