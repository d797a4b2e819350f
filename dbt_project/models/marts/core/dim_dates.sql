{#- One row per calendar date (2015-2035, from seeds/business_calendar.csv): business
    days (weekends and Japanese public holidays excluded), ISO weeks starting Monday,
    months, and fiscal quarters and years (var fiscal_year_start_month, default April). -#}
with

calendar as (select * from {{ ref('business_calendar') }}),

periods as (
    select
        cast(calendar_date as date) as calendar_date,
        is_weekend,
        is_holiday,
        {{ empty_as_null('holiday_name') }} as holiday_name,
        is_business_day,
        cast({{ dbt.date_trunc('week', 'calendar_date') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_start,
        {{ fiscal_quarter_start('calendar_date') }} as fiscal_quarter_start,
        {{ fiscal_year_start('calendar_date') }} as fiscal_year_start,
        {{ fiscal_year('calendar_date') }} as fiscal_year
    from calendar
)

select
    calendar_date,
    is_weekend,
    is_holiday,
    holiday_name,
    is_business_day,
    week_start,
    month_start,
    fiscal_quarter_start,
    fiscal_year_start,
    fiscal_year,
    sum(case when is_business_day then 1 else 0 end) over (
        partition by month_start order by calendar_date rows between unbounded preceding and current row
    ) as business_day_of_month,
    sum(case when is_business_day then 1 else 0 end) over (partition by month_start) as business_days_in_month,
    sum(case when is_business_day then 1 else 0 end) over (
        partition by fiscal_quarter_start order by calendar_date rows between unbounded preceding and current row
    ) as business_day_of_fiscal_quarter,
    sum(case when is_business_day then 1 else 0 end)
        over (partition by fiscal_quarter_start)
        as business_days_in_fiscal_quarter
from periods
