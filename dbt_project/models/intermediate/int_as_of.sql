{#- The instant the warehouse reports "as of". Never current_date: rebuilding the same
    extracts gives the same numbers. Var `as_of` pins it (e.g. to replay a past day). -#}
with

leads as (select * from {{ ref('stg_crm__leads') }}),

tasks as (select * from {{ ref('stg_crm__tasks') }}),

events as (select * from {{ ref('stg_crm__events') }}),

opportunities as (select * from {{ ref('stg_crm__opportunities') }}),

opportunity_history as (select * from {{ ref('stg_crm__opportunity_history') }}),

lead_history as (select * from {{ ref('stg_crm__lead_history') }}),

latest_per_object as (
    select max(modified_at) as latest_at from leads
    union all
    select max(modified_at) from tasks
    union all
    select max(modified_at) from events
    union all
    select max(modified_at) from opportunities
    union all
    select max(created_at) from opportunity_history
    union all
    select max(created_at) from lead_history
)

{% if var('as_of') -%}
select cast('{{ var("as_of") }}' as {{ dbt.type_timestamp() }}) as as_of_at
{%- else -%}
    select max(latest_at) as as_of_at
    from latest_per_object
{%- endif %}
