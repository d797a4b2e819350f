{#- The lead attributes quality rules may test, as they were when the lead was created.
    Sales edits a lead's title or size after talking to it; classifying on the edited
    value would let the outcome leak into the class. Where lead_history tracks a change
    of the attribute, its first old_value is the value at creation; otherwise the current
    value stands. Numbers are written as text without a trailing '.0'.

    Incremental: the leads int_lead_changes lists are deleted and built again. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
{%- set attributes = var('quality_rule_attributes') %}
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted{{ lead_changes_filter() }}
),

lead_history as (
    select * from {{ ref('stg_crm__lead_history') }}
    where not is_deleted{{ lead_changes_filter() }}
),

current_values as (
    {%- for attribute in attributes %}
        select
            lead_id,
            '{{ attribute }}' as attribute,  -- noqa: RF04
            {%- if attribute in ('number_of_employees', 'annual_revenue') %}
                {{ number_as_text(attribute) }} as current_value
            {%- else %}
                cast({{ 'company_name' if attribute == 'company' else attribute }} as {{ dbt.type_string() }})
                    as current_value
            {%- endif %}
        from leads
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

tracked_changes as (
    select
        lead_id,
        case field_name
            {%- for attribute, field_name in attributes.items() %}
                when '{{ field_name }}' then '{{ attribute }}'
            {%- endfor %}
        end as attribute,  -- noqa: RF04
        old_value,
        row_number() over (
            partition by lead_id, field_name
            order by created_at, lead_history_id
        ) as change_number
    from lead_history
    where field_name in (
        {%- for field_name in attributes.values() %}
            '{{ field_name }}'
            {{- ',' if not loop.last }}
        {%- endfor %}
    )
),

first_changes as (
    select
        lead_id,
        attribute,
        nullif(trim(old_value), '') as value_at_creation
    from tracked_changes
    where change_number = 1
),

as_created as (
    select
        current_values.lead_id,
        current_values.attribute,
        case
            when first_changes.lead_id is not null then first_changes.value_at_creation
            else current_values.current_value
        end as attribute_value,
        first_changes.lead_id is not null as is_changed_since_creation
    from current_values
    left join first_changes
        on
            current_values.lead_id = first_changes.lead_id
            and current_values.attribute = first_changes.attribute
)

select
    lead_id,
    attribute,
    attribute_value,
    {{ text_to_number('attribute_value') }} as attribute_number,
    is_changed_since_creation
from as_created
