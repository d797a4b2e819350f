{{ config(unique_key='user_role_id') }}

with latest as (

    {{ latest_version(source('crm', 'user_role')) }}

),

renamed as (

    select
        id as user_role_id,
        name as role_name,
        developer_name as role_developer_name,
        parent_role_id,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
