{{ config(unique_key='account_id') }}

with latest as (

    {{ latest_version(source('crm', 'account')) }}

),

renamed as (

    select
        id as account_id,
        name as account_name,
        owner_id as owner_user_id,
        type as account_type,
        industry,
        number_of_employees,
        annual_revenue,
        billing_country_code,
        account_source,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
