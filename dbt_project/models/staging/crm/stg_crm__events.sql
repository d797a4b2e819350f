{{ config(unique_key='event_id') }}

with latest as (

    {{ latest_version(source('crm', 'event')) }}

),

renamed as (

    select
        id as event_id,
        who_id,
        what_id,
        account_id,
        owner_id as owner_user_id,
        type as event_type,
        event_subtype,
        subject,
        activity_date,
        start_date_time as starts_at,
        end_date_time as ends_at,
        duration_in_minutes as duration_minutes,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
