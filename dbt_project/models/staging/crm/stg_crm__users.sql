{{ config(unique_key='user_id') }}

with latest as (

    {{ latest_version(source('crm', 'user')) }}

),

renamed as (

    select
        id as user_id,
        name as user_name,
        department as crm_department,
        user_role_id,
        manager_id as manager_user_id,
        title,
        is_active,
        time_zone_sid_key as time_zone,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
