{{ config(unique_key='lead_history_id') }}

with latest as (

    {{ latest_version(source('crm', 'lead_history')) }}

),

renamed as (

    select
        id as lead_history_id,
        lead_id,
        field as field_name,
        old_value,
        new_value,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
