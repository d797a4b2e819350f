{#- One row per target (period grain, period start, department, KPI, owner or team): the
    targets of seeds/kpi_targets.csv, plus the coarser targets derived from them where the
    seed gives none - a fiscal quarter as the sum of its three month targets (only when
    all three are set), a fiscal half as the sum of its two quarter targets, given or
    derived (only when both are) - marked by target_source. A row of the seed always
    wins over a derived one. Per target: the period's last day and business days, and
    the key of the actuals series it is measured against. owner_key is the owner's user
    id, the team's id for a team-level target (team_id set), or '(department)' for a
    department-level target (both empty), so that targets and actuals can be joined on
    it (a join never matches nulls). CRM user and role ids never collide. -#}
{%- set series_columns = ['department', 'kpi', 'owner_user_id', 'team_id', 'owner_key'] %}
with

targets as (select * from {{ ref('kpi_targets') }}),

dates as (select * from {{ ref('dim_dates') }}),

seed_targets as (
    select
        period_grain,
        cast(period_start as date) as period_start,
        department,
        kpi,
        {{ empty_as_null('trim(owner_id)') }} as owner_user_id,
        {{ empty_as_null('trim(team_id)') }} as team_id,
        coalesce({{ empty_as_null('trim(owner_id)') }}, {{ empty_as_null('trim(team_id)') }}, '(department)')
            as owner_key,
        cast(target_value as {{ type_double() }}) as target_value,
        'seed' as target_source
    from targets
),

{#- Quarters from their months, then halves from their quarters (given or derived): each
    derived only where every part is set and the seed gives no row of its own. -#}
{%- for grain, part_grain, start_of, parts, source, part_relation in [
    ('fiscal_quarter', 'month', fiscal_quarter_start, 3, 'derived_from_months', 'seed_targets'),
    ('fiscal_half', 'fiscal_quarter', fiscal_half_start, 2, 'derived_from_quarters', 'fiscal_quarter_targets'),
] %}

    {{ grain }}_derived as (
        select
            '{{ grain }}' as period_grain,
            {{ start_of('period_start') }} as period_start,
            {{ series_columns | join(', ') }},
            sum(target_value) as target_value,
            '{{ source }}' as target_source
        from {{ part_relation }}
        where period_grain = '{{ part_grain }}'
        group by {{ start_of('period_start') }}, {{ series_columns | join(', ') }}
        having count(*) = {{ parts }}
    ),

    {{ grain }}_targets as (
        select * from seed_targets
        where period_grain = '{{ grain }}'

        union all

        select derived.*
        from {{ grain }}_derived as derived
        left join seed_targets as given
            on
                given.period_grain = '{{ grain }}'
                and derived.period_start = given.period_start
                and derived.department = given.department
                and derived.kpi = given.kpi
                and derived.owner_key = given.owner_key
        where given.owner_key is null
    ),
{% endfor %}
all_targets as (
    select * from seed_targets
    where period_grain = 'month'

    union all

    select * from fiscal_quarter_targets

    union all

    select * from fiscal_half_targets
),

targets_with_end as (
    select
        all_targets.*,
        cast(
            {{ dbt.dateadd(
                'day', -1,
                dbt.dateadd(
                    'month',
                    "case period_grain when 'fiscal_half' then 6 when 'fiscal_quarter' then 3 else 1 end",
                    'period_start'
                )
            ) }}
            as date
        ) as period_end_date
    from all_targets
)

select
    targets_with_end.period_grain,
    targets_with_end.period_start,
    targets_with_end.period_end_date,
    targets_with_end.department,
    targets_with_end.kpi,
    targets_with_end.owner_user_id,
    targets_with_end.team_id,
    targets_with_end.owner_key,
    targets_with_end.target_value,
    cast(targets_with_end.target_source as {{ dbt.type_string() }}) as target_source,
    sum(case when dates.is_business_day then 1 else 0 end) as business_days_in_period,
    max(case when dates.is_business_day then dates.calendar_date end) as last_business_date
from targets_with_end
inner join dates
    on
        targets_with_end.period_start <= dates.calendar_date
        and targets_with_end.period_end_date >= dates.calendar_date
group by
    targets_with_end.period_grain,
    targets_with_end.period_start,
    targets_with_end.period_end_date,
    targets_with_end.department,
    targets_with_end.kpi,
    targets_with_end.owner_user_id,
    targets_with_end.team_id,
    targets_with_end.owner_key,
    targets_with_end.target_value,
    targets_with_end.target_source
