{{ config(unique_key='campaign_id') }}

with latest as (

    {{ latest_version(source('crm', 'campaign')) }}

),

renamed as (

    select
        id as campaign_id,
        name as campaign_name,
        type as campaign_type,
        status as campaign_status,
        start_date,
        end_date,
        budgeted_cost,
        actual_cost,
        parent_id as parent_campaign_id,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
