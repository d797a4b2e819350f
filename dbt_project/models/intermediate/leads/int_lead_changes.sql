{#- The leads whose lead-grain rows an incremental build must rebuild (macro
    lead_changes_filter): every lead one of the inputs of int_leads, the quality
    attributes and scores, int_lead_step_evidence, int_lead_funnel_steps, fct_leads or
    fct_funnel_events changed for since the last recorded build (macro
    file_seq_watermark). A superset is harmless (those leads are rebuilt unchanged); a
    missing lead would keep stale rows, so each input is traced through every version
    of the records that changed, in raw:
    - the lead's record or history (new, changed, deleted leads);
    - leads sharing a converted contact with a changed lead, in any version (activities
      on a contact belong to one of the leads converted to it);
    - leads an activity of a changed task or event was about, in any version (who_id is
      the lead or its converted contact);
    - leads converted to a changed opportunity, or one with changed stage history;
    - leads a changed campaign membership was about, in any version;
    - leads owned by a user whose record or role changed (department at creation);
    - leads whose evidence the moving as-of instant reaches: int_lead_step_evidence
      keeps, per lead, the earliest input it left out for lying after the as-of instant
      (revisit_at).
    On a full refresh, with a pinned as_of, before int_lead_step_evidence exists in its
    current form, and on Spark (where those models build as tables), every lead is
    listed. -#}
-- Read only when tracing changes; declared so dbt knows them at parse time:
-- depends_on: {{ ref('stg_crm__lead_history') }}, {{ ref('stg_crm__opportunities') }}, {{ ref('stg_crm__opportunity_history') }}
-- depends_on: {{ ref('stg_crm__users') }}, {{ ref('stg_crm__user_roles') }}
-- depends_on: {{ source('crm', 'lead') }}, {{ source('crm', 'task') }}, {{ source('crm', 'event') }}, {{ source('crm', 'campaign_member') }}
{%- set held = adapter.get_relation(database=this.database, schema=this.schema, identifier='int_lead_step_evidence')
    if execute and not (flags.FULL_REFRESH or var('as_of') or target.type == 'spark') else none %}
{%- set held_columns = adapter.get_columns_in_relation(held) | map(attribute='name') | map('lower') | list
    if held is not none else [] %}
with

leads as (select * from {{ ref('stg_crm__leads') }}),
as_of as (select * from {{ ref('int_as_of') }}),
{% if 'revisit_at' not in held_columns %}
changed as (
    select lead_id from leads
)
{%- else %}
{%- set watermark = file_seq_watermark(own_rows=false) %}
changed_contacts as (
    {{ versions_of_changed_records(source('crm', 'lead'), 'converted_contact_id', watermark) }}
),

changed_who as (
    {{ versions_of_changed_records(source('crm', 'task'), 'who_id', watermark) }}
    union
    {{ versions_of_changed_records(source('crm', 'event'), 'who_id', watermark) }}
),

changed_opportunities as (
    select opportunity_id from {{ ref('stg_crm__opportunities') }} where source_file_seq > {{ watermark }}
    union
    select opportunity_id from {{ ref('stg_crm__opportunity_history') }} where source_file_seq > {{ watermark }}
),

changed_owners as (
    {{ users_with_changed_records(watermark) }}
),

changed as (
    {{ leads_with_changed_records(watermark) }}
    union
    select lead_id from leads
    where converted_contact_id in (select converted_contact_id from changed_contacts)
        or lead_id in (select who_id from changed_who)
        or converted_contact_id in (select who_id from changed_who)
        or converted_opportunity_id in (select opportunity_id from changed_opportunities)
        or owner_user_id in (select user_id from changed_owners)
    union
    {{ versions_of_changed_records(source('crm', 'campaign_member'), 'lead_id', watermark) }}
    union
    select held.lead_id
    from {{ held }} as held
    cross join as_of
    where held.revisit_at <= as_of.as_of_at
)
{%- endif %}

select distinct lead_id
from changed
where lead_id is not null
