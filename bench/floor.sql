-- The floor: the least work anyone could do to get the monthly cohort overview by lead
-- quality straight from the landing files, in one DuckDB script. No ledger, no
-- quarantine, no tests, no publish: read the CSV extracts, keep the latest version of
-- each record, apply the KPI definitions (docs/kpi-definitions.md), count.
--
-- Parameters (set by bench/floor.py before this script runs):
--   getvariable('landing')  the landing folder (one sub-folder of CSV files per object)
--   getvariable('seeds')    the repository's seeds/ folder (quality rules and mappings)
--
-- It reads the CSV extracts `fukan demo-data` writes (`<object>/*.csv`, snapshot and
-- delta files alike); the contract's other formats (.csv.gz, Parquet, JSON Lines) and
-- Salesforce-style headers are the loader's job, not the floor's.
--
-- What it keeps from the spec, as directly as it can:
--   * latest wins: per object and id, the greatest system_modstamp (then
--     last_modified_date, created_date), then the later file; is_deleted rows drop out
--     after that. (Rows of one file with the same id and stamp are not ordered further.)
--   * lead quality from the attributes *as created*: where lead_history records a change
--     of a tracked field, its first old_value; else the current value. Rules and the
--     threshold (3 points) come from seeds/quality_lead_rules.csv.
--   * funnel steps: earliest evidence of each step up to the as-of instant (the latest
--     timestamp in the data), then the cumulative rule (a step is reached at the earliest
--     evidence of it or any later step).
--   * cohort: the month of lead creation in Asia/Tokyo; the last select is the result.

set TimeZone = 'UTC';

-- The latest version of each record of one object: every CSV file of its folder, ranked
-- per id by the greatest system_modstamp (then last_modified_date, created_date), then
-- the later file. `modified_at` is that ranking's time.
create temp macro latest_versions(object) as table
select *, coalesce(system_modstamp, last_modified_date, created_date) as modified_at
from read_csv(getvariable('landing') || '/' || object || '/*.csv', union_by_name = true, filename = true)
qualify row_number() over (partition by id order by modified_at desc, filename desc) = 1;

create temp table leads_versions as
select
    id as lead_id,
    created_date as created_at,
    modified_at,
    coalesce(is_deleted, false) as is_deleted,
    status,
    industry,
    number_of_employees,
    annual_revenue,
    title,
    lead_source,
    country_code,
    rating,
    company,
    is_converted,
    converted_date,
    converted_contact_id,
    converted_opportunity_id
from latest_versions('lead');

create temp table tasks_versions as
select
    id,
    created_date as created_at,
    modified_at,
    coalesce(is_deleted, false) as is_deleted,
    who_id,
    coalesce(task_subtype = 'Call' or "type" = 'Call', false) as is_call,
    coalesce(task_subtype = 'Email' or "type" = 'Email', false) as is_email,
    nullif(task_subtype, '') as task_subtype,
    coalesce(is_closed, completed_date_time is not null) as is_completed,
    lower(trim(replace(call_disposition, '　', ' '))) as disposition,
    cast(hearing_item_count_c as double) as hearing_items
from latest_versions('task');

create temp table events_versions as
select
    id,
    created_date as created_at,
    modified_at,
    coalesce(is_deleted, false) as is_deleted,
    who_id,
    trim("type") as event_type
from latest_versions('event');

create temp table opportunities_versions as
select
    id as opportunity_id,
    created_date as created_at,
    modified_at,
    coalesce(is_deleted, false) as is_deleted,
    stage_name,
    close_date,
    amount
from latest_versions('opportunity');

create temp table opportunity_history_versions as
select
    id,
    created_date as created_at,
    coalesce(is_deleted, false) as is_deleted,
    opportunity_id,
    stage_name
from latest_versions('opportunity_history');

create temp table lead_history_versions as
select
    id,
    created_date as created_at,
    coalesce(is_deleted, false) as is_deleted,
    lead_id,
    field,
    old_value,
    new_value
from latest_versions('lead_history');

with

as_of as (
    select greatest(
        (select max(modified_at) from leads_versions),
        (select max(modified_at) from tasks_versions),
        (select max(modified_at) from events_versions),
        (select max(modified_at) from opportunities_versions),
        (select max(created_at) from opportunity_history_versions),
        (select max(created_at) from lead_history_versions)
    ) as as_of_at
),

leads as (select * from leads_versions where not is_deleted),
lead_history as (select * from lead_history_versions where not is_deleted),
opportunities as (select * from opportunities_versions where not is_deleted),

rules as (select * from read_csv(getvariable('seeds') || '/quality_lead_rules.csv', all_varchar = true)),
dispositions as (select * from read_csv(getvariable('seeds') || '/call_disposition_mapping.csv', all_varchar = true)),
email_subtypes as (select * from read_csv(getvariable('seeds') || '/email_subtype_mapping.csv', all_varchar = true)),
event_types as (select * from read_csv(getvariable('seeds') || '/event_type_mapping.csv', all_varchar = true)),
status_steps as (select * from read_csv(getvariable('seeds') || '/lead_status_mapping.csv', all_varchar = true)),
stage_categories as (select * from read_csv(getvariable('seeds') || '/opportunity_stage_mapping.csv', all_varchar = true)),

-- lead quality ---------------------------------------------------------------------
tracked_fields (attribute, field_name) as (
    values ('industry', 'Industry'), ('number_of_employees', 'NumberOfEmployees'),
        ('annual_revenue', 'AnnualRevenue'), ('title', 'Title'), ('lead_source', 'LeadSource'),
        ('country_code', 'CountryCode'), ('rating', 'Rating'), ('company', 'Company')
),

current_values as (
    select lead_id, attribute, current_value
    from (
        select
            lead_id,
            cast(industry as varchar) as industry,
            regexp_replace(cast(number_of_employees as varchar), '\.0$', '') as number_of_employees,
            regexp_replace(cast(annual_revenue as varchar), '\.0$', '') as annual_revenue,
            cast(title as varchar) as title,
            cast(lead_source as varchar) as lead_source,
            cast(country_code as varchar) as country_code,
            cast(rating as varchar) as rating,
            cast(company as varchar) as company
        from leads
    ) unpivot include nulls (
        current_value for attribute in (
            industry, number_of_employees, annual_revenue, title, lead_source, country_code, rating, company
        )
    )
),

first_changes as (
    select lead_history.lead_id, tracked_fields.attribute, nullif(trim(lead_history.old_value), '') as value_at_creation
    from lead_history
    inner join tracked_fields on lead_history.field = tracked_fields.field_name
    qualify row_number() over (
        partition by lead_history.lead_id, lead_history.field order by lead_history.created_at, lead_history.id
    ) = 1
),

attributes_as_created as (
    select
        current_values.lead_id,
        current_values.attribute,
        case when first_changes.lead_id is not null then first_changes.value_at_creation
            else current_values.current_value end as attribute_value
    from current_values
    left join first_changes
        on current_values.lead_id = first_changes.lead_id
        and current_values.attribute = first_changes.attribute
),

scores as (
    select attributes_as_created.lead_id, sum(cast(rules.points as integer)) as quality_score
    from attributes_as_created
    inner join rules on attributes_as_created.attribute = rules.attribute
    where attributes_as_created.attribute_value is not null
        and case rules.operator
            when 'in' then list_contains(string_split(rules.value, '|'), attributes_as_created.attribute_value)
            when 'not_in' then not list_contains(string_split(rules.value, '|'), attributes_as_created.attribute_value)
            when 'between' then try_cast(trim(attributes_as_created.attribute_value) as double)
                between cast(split_part(rules.value, '|', 1) as double) and cast(split_part(rules.value, '|', 2) as double)
            when 'matches' then regexp_matches(attributes_as_created.attribute_value, rules.value)
            when 'is_not_null' then true
            else false
        end
    group by attributes_as_created.lead_id
),

-- activity evidence ------------------------------------------------------------------
lead_by_contact as (
    select converted_contact_id as contact_id, min(lead_id) as lead_id
    from leads
    where converted_contact_id is not null
    group by converted_contact_id
),

activities as (
    select
        tasks.who_id,
        tasks.created_at,
        -- A mass e-mail (ListEmail) works no lead: the seed says which subtypes are one-to-one.
        tasks.is_call
        or (tasks.is_email and coalesce(email_subtypes.is_personal = 'true', tasks.task_subtype is null)) as is_worked,
        tasks.is_call and coalesce(dispositions.is_connected = 'true', false) as is_contacted,
        coalesce(tasks.hearing_items >= 1, false) as is_need_confirmed,
        false as is_appointment
    from tasks_versions as tasks
    left join dispositions on tasks.disposition = lower(trim(dispositions.call_disposition))
    left join email_subtypes on tasks.task_subtype = email_subtypes.task_subtype
    where not tasks.is_deleted and tasks.is_completed
    union all
    select
        events.who_id,
        events.created_at,
        false,
        false,
        false,
        coalesce(event_types.is_meeting = 'true', nullif(events.event_type, '') is null)
    from events_versions as events
    left join event_types on events.event_type = event_types.event_type
    where not events.is_deleted
),

activity_evidence as (
    select
        coalesce(leads.lead_id, lead_by_contact.lead_id) as lead_id,
        min(case when activities.is_worked then activities.created_at end) as worked_at,
        min(case when activities.is_contacted then activities.created_at end) as contacted_at,
        min(case when activities.is_need_confirmed then activities.created_at end) as need_confirmed_at,
        min(case when activities.is_appointment then activities.created_at end) as appointment_at
    from activities
    cross join as_of
    left join leads on activities.who_id = leads.lead_id
    left join lead_by_contact on activities.who_id = lead_by_contact.contact_id
    where activities.created_at <= as_of.as_of_at
        and coalesce(leads.lead_id, lead_by_contact.lead_id) is not null
    group by 1
),

-- status and conversion evidence -------------------------------------------------------
status_changes as (
    select lead_id, new_value as status, created_at as changed_at from lead_history where field = 'Status'
    union all
    select lead_id, status, modified_at from leads
),

status_evidence as (
    select
        status_changes.lead_id,
        min(case when status_steps.funnel_step = 'contacted' then changed_at end) as contacted_at,
        min(case when status_steps.funnel_step = 'need_confirmed' then changed_at end) as need_confirmed_at,
        min(case when status_steps.funnel_step = 'appointment' then changed_at end) as appointment_at,
        min(case when status_steps.funnel_step = 'handed_off' then changed_at end) as handed_off_at
    from status_changes
    inner join status_steps on status_changes.status = status_steps.lead_status
    cross join as_of
    where status_changes.changed_at <= as_of.as_of_at
    group by status_changes.lead_id
),

conversions as (
    select lead_id, min(created_at) as converted_at
    from lead_history
    where field = 'leadConverted'
    group by lead_id
),

-- opportunity evidence -----------------------------------------------------------------
stage_entries as (
    select history.opportunity_id, categories.stage_category, history.created_at as entered_at
    from opportunity_history_versions as history
    inner join opportunities on history.opportunity_id = opportunities.opportunity_id
    inner join stage_categories as categories on history.stage_name = categories.stage_name
    where not history.is_deleted
    union all
    select
        opportunities.opportunity_id,
        categories.stage_category,
        case when categories.stage_category = 'won' and opportunities.close_date is not null
            then cast(opportunities.close_date as timestamptz) else opportunities.modified_at end
    from opportunities
    inner join stage_categories as categories on opportunities.stage_name = categories.stage_name
),

opportunity_evidence as (
    select
        opportunities.opportunity_id,
        opportunities.created_at as opportunity_at,
        min(case when stage_entries.stage_category in ('proposal', 'after_proposal', 'won')
            then stage_entries.entered_at end) as proposal_at,
        case when any_value(current_stage.stage_category) = 'won'
            then cast(any_value(opportunities.close_date) as timestamptz) end as won_at,
        any_value(opportunities.amount) as amount
    from opportunities
    left join stage_categories as current_stage on opportunities.stage_name = current_stage.stage_name
    left join stage_entries on opportunities.opportunity_id = stage_entries.opportunity_id
    group by opportunities.opportunity_id, opportunities.created_at
),

-- the funnel per lead ------------------------------------------------------------------
evidence as (
    select
        leads.lead_id,
        leads.created_at,
        case when coalesce(scores.quality_score, 0) >= 3 then 'quality' else 'general' end as quality_class,
        leads.created_at as lead_at,
        activity_evidence.worked_at,
        least(activity_evidence.contacted_at, status_evidence.contacted_at) as contacted_at,
        least(activity_evidence.need_confirmed_at, status_evidence.need_confirmed_at) as need_confirmed_at,
        least(activity_evidence.appointment_at, status_evidence.appointment_at) as appointment_at,
        least(
            case when leads.is_converted or leads.converted_date is not null
                then coalesce(conversions.converted_at, cast(leads.converted_date as timestamptz)) end,
            status_evidence.handed_off_at
        ) as handed_off_at,
        opportunity_evidence.opportunity_at,
        opportunity_evidence.proposal_at,
        opportunity_evidence.won_at,
        opportunity_evidence.amount
    from leads
    left join scores on leads.lead_id = scores.lead_id
    left join activity_evidence on leads.lead_id = activity_evidence.lead_id
    left join status_evidence on leads.lead_id = status_evidence.lead_id
    left join conversions on leads.lead_id = conversions.lead_id
    left join opportunity_evidence on leads.converted_opportunity_id = opportunity_evidence.opportunity_id
),

bounded as (
    select
        evidence.lead_id,
        evidence.created_at,
        evidence.quality_class,
        evidence.amount,
        case when lead_at <= as_of_at then lead_at end as lead_at,
        case when worked_at <= as_of_at then worked_at end as worked_at,
        case when contacted_at <= as_of_at then contacted_at end as contacted_at,
        case when need_confirmed_at <= as_of_at then need_confirmed_at end as need_confirmed_at,
        case when appointment_at <= as_of_at then appointment_at end as appointment_at,
        case when handed_off_at <= as_of_at then handed_off_at end as handed_off_at,
        case when opportunity_at <= as_of_at then opportunity_at end as opportunity_at,
        case when proposal_at <= as_of_at then proposal_at end as proposal_at,
        case when won_at <= as_of_at then won_at end as won_at
    from evidence
    cross join as_of
),

funnel as (
    select
        lead_id,
        cast(date_trunc('month', timezone('Asia/Tokyo', created_at)) as date) as cohort_month,
        quality_class,
        least(lead_at, worked_at, contacted_at, need_confirmed_at, appointment_at, handed_off_at, opportunity_at, proposal_at, won_at) is not null as reached_lead,
        least(worked_at, contacted_at, need_confirmed_at, appointment_at, handed_off_at, opportunity_at, proposal_at, won_at) is not null as reached_worked,
        least(contacted_at, need_confirmed_at, appointment_at, handed_off_at, opportunity_at, proposal_at, won_at) is not null as reached_contacted,
        least(need_confirmed_at, appointment_at, handed_off_at, opportunity_at, proposal_at, won_at) is not null as reached_need_confirmed,
        least(appointment_at, handed_off_at, opportunity_at, proposal_at, won_at) is not null as reached_appointment,
        least(handed_off_at, opportunity_at, proposal_at, won_at) is not null as reached_handed_off,
        least(opportunity_at, proposal_at, won_at) is not null as reached_opportunity,
        least(proposal_at, won_at) is not null as reached_proposal,
        won_at is not null as reached_won,
        case when won_at is not null then coalesce(amount, 0) else 0 end as won_amount
    from bounded
)

-- the monthly cohort overview ---------------------------------------------------------
select
    cohort_month as period_start,
    coalesce(quality_class, 'all') as lead_quality,
    count_if(reached_lead) as leads,
    count_if(reached_worked) as worked,
    count_if(reached_contacted) as contacted,
    count_if(reached_need_confirmed) as need_confirmed,
    count_if(reached_appointment) as appointments,
    count_if(reached_handed_off) as handed_off,
    count_if(reached_opportunity) as opportunities,
    count_if(reached_proposal) as proposals,
    count_if(reached_won) as won,
    sum(won_amount) as won_amount
from funnel
where reached_lead
group by grouping sets ((cohort_month, quality_class), (cohort_month))
order by 1, 2;
