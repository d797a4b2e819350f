{{ config(unique_key='lead_id') }}

with latest as (

    {{ latest_version(source('crm', 'lead')) }}

),

renamed as (

    select
        id as lead_id,
        owner_id as owner_user_id,
        status as lead_status,
        lead_source,
        company as company_name,
        title,
        industry,
        number_of_employees,
        annual_revenue,
        country_code,
        rating,
        is_converted,
        converted_date,
        converted_account_id,
        converted_contact_id,
        converted_opportunity_id,
        master_record_id as master_lead_id,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
