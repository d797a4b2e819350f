{#- MetricFlow's day-grain time spine (one row per calendar date). Taken from dim_dates
    so the semantic layer and the KPI marts share one calendar (2015-2035). -#}
{{ config(materialized='table', schema='marts') }}

with

dates as (select * from {{ ref('dim_dates') }})

select calendar_date as date_day
from dates
