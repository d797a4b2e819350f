{#- One row per calendar date (2015-2035): the one definition of a business day - not a
    weekend, not a public holiday (seeds/business_calendar.csv), not a company holiday
    (seeds/company_holidays.csv: yearly month-day ranges, which may wrap the year end,
    and one-off date ranges) - with ISO weeks starting Monday, months, and fiscal
    quarters, half-years and years (var fiscal_year_start_month, default April). -#}
with

calendar as (select * from {{ ref('business_calendar') }}),

company_holidays as (select * from {{ ref('company_holidays') }}),

calendar_days as (
    select
        cast(calendar_date as date) as calendar_date,
        is_weekend,
        is_public_holiday,
        {{ empty_as_null('public_holiday_name') }} as public_holiday_name,
        -- ISO text ('YYYY-MM-DD', 'MM-DD') compares in date order, as the seed is written.
        cast(calendar_date as {{ dbt.type_string() }}) as iso_date,
        {{ dbt.right('cast(calendar_date as ' ~ dbt.type_string() ~ ')', 5) }} as month_day
    from calendar
),

company_holiday_days as (
    select
        calendar_days.calendar_date,
        min(company_holidays.holiday_name) as company_holiday_name
    from calendar_days
    inner join company_holidays
        on
            (
                company_holidays.recurrence = 'once'
                and calendar_days.iso_date >= company_holidays.first_day
                and calendar_days.iso_date <= company_holidays.last_day
            )
            or (
                company_holidays.recurrence = 'every_year'
                and (
                    (
                        company_holidays.first_day <= company_holidays.last_day
                        and calendar_days.month_day >= company_holidays.first_day
                        and calendar_days.month_day <= company_holidays.last_day
                    )
                    or (
                        company_holidays.first_day > company_holidays.last_day
                        and (
                            calendar_days.month_day >= company_holidays.first_day
                            or calendar_days.month_day <= company_holidays.last_day
                        )
                    )
                )
            )
    group by calendar_days.calendar_date
),

days as (
    select
        calendar_days.calendar_date,
        calendar_days.is_weekend,
        calendar_days.is_public_holiday,
        company_holiday_days.calendar_date is not null as is_company_holiday,
        coalesce(calendar_days.public_holiday_name, company_holiday_days.company_holiday_name) as holiday_name
    from calendar_days
    left join company_holiday_days
        on calendar_days.calendar_date = company_holiday_days.calendar_date
),

periods as (
    select
        calendar_date,
        is_weekend,
        is_public_holiday,
        is_company_holiday,
        is_public_holiday or is_company_holiday as is_holiday,
        holiday_name,
        not is_weekend and not is_public_holiday and not is_company_holiday as is_business_day,
        cast({{ dbt.date_trunc('week', 'calendar_date') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_start,
        {{ fiscal_quarter_start('calendar_date') }} as fiscal_quarter_start,
        {{ fiscal_half_start('calendar_date') }} as fiscal_half_start,
        {{ fiscal_half('calendar_date') }} as fiscal_half,
        {{ fiscal_year_start('calendar_date') }} as fiscal_year_start,
        {{ fiscal_year('calendar_date') }} as fiscal_year
    from days
)

select
    calendar_date,
    is_weekend,
    is_public_holiday,
    is_company_holiday,
    is_holiday,
    holiday_name,
    is_business_day,
    week_start,
    month_start,
    fiscal_quarter_start,
    fiscal_half_start,
    fiscal_half,
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
        as business_days_in_fiscal_quarter,
    sum(case when is_business_day then 1 else 0 end) over (
        partition by fiscal_half_start order by calendar_date rows between unbounded preceding and current row
    ) as business_day_of_fiscal_half
from periods
