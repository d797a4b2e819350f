{{ config(unique_key='contact_id') }}

with latest as (

    {{ latest_version(source('crm', 'contact')) }}

),

renamed as (

    select
        id as contact_id,
        account_id,
        owner_id as owner_user_id,
        lead_source,
        title,
        department as contact_department,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
