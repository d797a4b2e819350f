{{ config(unique_key='task_id') }}

with latest as (

    {{ latest_version(source('crm', 'task')) }}

),

renamed as (

    select
        id as task_id,
        who_id,
        what_id,
        account_id,
        owner_id as owner_user_id,
        type as task_type,
        task_subtype,
        subject,
        status as task_status,
        is_closed,
        activity_date,
        completed_date_time as completed_at,
        call_type,
        call_disposition,
        call_duration_in_seconds as call_duration_seconds,
        hearing_item_count_c as hearing_item_count,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
