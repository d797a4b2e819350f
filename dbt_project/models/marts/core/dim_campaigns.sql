{#- One row per live campaign: type, dates, cost in JPY (actual, else budgeted) and the
    leads it brought in first. -#}
-- The mart publishes int_campaigns as it is, whatever columns it has.
select * from {{ ref('int_campaigns') }}  -- noqa: AM04
