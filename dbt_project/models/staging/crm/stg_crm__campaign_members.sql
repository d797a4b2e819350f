{{ config(unique_key='campaign_member_id') }}

with latest as (

    {{ latest_version(source('crm', 'campaign_member')) }}

),

renamed as (

    select
        id as campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        status as member_status,
        has_responded,
        first_responded_date,
        {{ crm_version_columns() }}
    from latest

)

select * from renamed
