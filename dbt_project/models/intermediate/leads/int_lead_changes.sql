{#- The leads whose lead-grain rows an incremental build must rebuild (macro
    lead_changes_filter): every lead one of the inputs of int_leads, the quality
    attributes and scores, int_lead_step_evidence, int_lead_funnel_steps, fct_leads or
    fct_funnel_events changed for since the last recorded build (macro
    file_seq_watermark). A superset is harmless (those leads are rebuilt unchanged); a
    missing lead would keep stale rows, so each input is traced through every version
    of the records that changed (stg_crm__record_versions):
    - the lead's record or history (new, changed, deleted leads);
    - leads sharing a converted contact with a changed lead, in any version (activities
      on a contact belong to one of the leads converted to it);
    - leads an activity of a changed task or event was about, in any version (who_id is
      the lead or its converted contact);
    - leads converted to a changed opportunity, or one with changed stage history;
    - leads a changed campaign membership was about, in any version;
    - leads owned by a user whose record or role changed (department at creation), or
      with a meeting booked by one (an appointment counts inside-sales owners' meetings);
    - leads whose evidence the moving as-of instant reaches: int_lead_step_evidence
      keeps, per lead, the earliest input it left out for lying after the as-of instant
      (revisit_at).
    On a full refresh, with a pinned as_of, before int_lead_step_evidence exists in its
    current form, and on Spark (where those models build as tables), every lead is
    listed. -#}
{%- set held = adapter.get_relation(database=this.database, schema=this.schema, identifier='int_lead_step_evidence')
    if execute and not (flags.FULL_REFRESH or var('as_of') or target.type == 'spark') else none %}
{%- set held_columns = adapter.get_columns_in_relation(held) | map(attribute='name') | map('lower') | list
    if held is not none else [] %}
{#- Relations the tracing reads several times each: named here, on every build, so dbt
    knows them when it parses; read as tables below (a CTE read twice is materialised). -#}
{%- set record_versions = ref('stg_crm__record_versions') %}
{%- set watermark = file_seq_watermark(ref('stg_ingest__dbt_builds'), own_rows=false) %}
with

leads as (select * from {{ ref('stg_crm__leads') }}),

as_of as (select * from {{ ref('int_as_of') }}),

changed_lead_records as (select * from {{ ref('int_changed_lead_records') }}),

changed_owners as (select * from {{ ref('int_changed_users') }}),

opportunities as (select * from {{ ref('stg_crm__opportunities') }}),

opportunity_history as (select * from {{ ref('stg_crm__opportunity_history') }}),

meetings as (
    select
        lead_id,
        owner_user_id
    from {{ ref('int_activities_classified') }}
    where activity_type = 'meeting'
),
{% if 'revisit_at' not in held_columns %}
    changed as (
        select lead_id from leads
    )
{%- else %}
changed_contacts as (
    {{ versions_of_changed_records(record_versions, 'lead', watermark) }}
),

changed_who as (
    {{ versions_of_changed_records(record_versions, 'task', watermark) }}
    union
    {{ versions_of_changed_records(record_versions, 'event', watermark) }}
),

changed_opportunities as (
    select opportunity_id from opportunities where source_file_seq > {{ watermark }}
    union
    select opportunity_id from opportunity_history where source_file_seq > {{ watermark }}
),

changed as (
    select lead_id from changed_lead_records
    union
    select lead_id from leads
    where converted_contact_id in (select pointed_at_id from changed_contacts)
        or lead_id in (select pointed_at_id from changed_who)
        or converted_contact_id in (select pointed_at_id from changed_who)
        or converted_opportunity_id in (select opportunity_id from changed_opportunities)
        or owner_user_id in (select user_id from changed_owners)
    union
    select lead_id from meetings
    where owner_user_id in (select user_id from changed_owners)
    union
    {{ versions_of_changed_records(record_versions, 'campaign_member', watermark) }}
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
