{{ config(unique_key='opportunity_history_id') }}

with latest as (

    {{ latest_version(source('crm', 'opportunity_history')) }}

),

renamed as (

    select
        id as opportunity_history_id,
        opportunity_id,
        stage_name,
        amount,
        close_date,
        probability,
        forecast_category,
        expected_revenue,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
