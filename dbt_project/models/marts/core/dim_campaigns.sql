{#- One row per live campaign: type, dates, cost in JPY (actual, else budgeted) and the
    leads it brought in first. -#}
select * from {{ ref('int_campaigns') }}
