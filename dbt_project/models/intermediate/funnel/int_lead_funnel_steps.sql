{#- The cumulative funnel per lead: reaching a step implies every earlier step, dated
    at the earliest evidence of that step or any later one. A lead converted with no
    recorded call is still worked and contacted, dated at the conversion. Counts can
    therefore never rise along the funnel.

    Incremental: the leads int_lead_changes lists are deleted and built again. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
{%- set steps = funnel_steps() %}
{%- set evidence_columns = [] %}
{%- for step in steps %}{% do evidence_columns.append(step ~ '_evidence_at') %}{% endfor %}
with

evidence as (select * from {{ ref('int_lead_step_evidence') }}{{ lead_changes_filter('where') }}),

cumulative as (
    select
        lead_id,
        {#- earliest evidence of this step or any later step #}
    {%- for step in steps %}
        {{ earliest(evidence_columns[loop.index0:]) }} as {{ step }}_at
        {{- ',' if not loop.last }}
    {%- endfor %}
    from evidence
)

select
    lead_id,
    {%- for step in steps %}
        {{ step }}_at is not null as reached_{{ step }},
        {{ step }}_at,
    {%- endfor %}
{%- for step in steps[1:] %}
    cast(
        {{ dbt.datediff(steps[loop.index0] ~ '_at', step ~ '_at', 'day') }}
        as {{ dbt.type_bigint() }}
    ) as days_{{ steps[loop.index0] }}_to_{{ step }}
    {{- ',' if not loop.last }}
{%- endfor %}
from cumulative
