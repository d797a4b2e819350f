{{ config(unique_key='opportunity_id') }}

with latest as (

    {{ latest_version(source('crm', 'opportunity')) }}

),

renamed as (

    select
        id as opportunity_id,
        account_id,
        owner_id as owner_user_id,
        campaign_id,
        type as opportunity_type,
        lead_source,
        stage_name,
        is_closed,
        is_won,
        amount,
        probability,
        forecast_category_name as forecast_category,
        close_date,
        currency_iso_code,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
