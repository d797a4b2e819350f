{#- One row per lead with an owner: the days it is open, from its creation date to the
    day it closed (converted or disqualified; null while open), in the reporting time
    zone. The one definition of an open lead for the neglected-lead count and next-action
    coverage. A converted lead closes on its hand-off date (the step reached by the
    as-of instant); a disqualified lead on its last status change to a disqualified
    status (lead history), or, without that history, on its creation date (open on no
    day). -#}
with

leads as (select * from {{ ref('fct_leads') }}),

lead_history as (select * from {{ ref('stg_crm__lead_history') }}),

status_mapping as (select * from {{ ref('lead_status_mapping') }}),

as_of as (select * from {{ ref('int_as_of') }}),

disqualifications as (
    select
        lead_history.lead_id,
        max(lead_history.created_at) as disqualified_at
    from lead_history
    inner join status_mapping
        on lead_history.new_value = status_mapping.lead_status
    cross join as_of
    where
        lead_history.field_name = 'Status'
        and status_mapping.is_disqualified
        and lead_history.created_at <= as_of.as_of_at
    group by lead_history.lead_id
),

spans as (
    select
        leads.lead_id,
        leads.owner_user_id,
        leads.created_date,
        case
            when leads.is_converted then leads.handed_off_date
            when leads.is_disqualified
                then coalesce({{ to_reporting_date('disqualifications.disqualified_at') }}, leads.created_date)
        end as closed_on
    from leads
    cross join as_of
    left join disqualifications
        on leads.lead_id = disqualifications.lead_id
    where
        leads.owner_user_id is not null
        and leads.created_at <= as_of.as_of_at
)

-- A close dated before the creation (a record entered afterwards) leaves the lead open
-- on no day rather than failing the build.
select
    lead_id,
    owner_user_id,
    created_date,
    case when closed_on < created_date then created_date else closed_on end as closed_date
from spans
