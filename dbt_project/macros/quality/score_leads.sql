{#- Score every lead against a rule set (docs/kpi-definitions.md, lead quality).
    One body serves the current definition and any candidate, so a what-if compares
    like with like. Rule semantics follow SQL: a null attribute matches no rule
    (`not_in` included); `matches` is a regular-expression search; `in`/`not_in`
    compare exact text; `between` is inclusive on numbers.

    A lead's class depends on its attributes alone: an incremental build scores the
    leads int_lead_changes lists (the models' pre-hook delete_lead_changes deleted their
    old rows). -#}
{% macro score_leads(rules_relation, min_points) -%}
{%- set lead_attributes = ref('int_lead_attributes_as_created') %}
with
-- Each part reads the base table: DuckDB materialises a CTE read more than once (eight
-- rows per lead here), which costs more than reading the table three times.
attributes as (select * from {{ lead_attributes }}{{ lead_changes_filter('where') }}),
rules as (select * from {{ rules_relation }}),
definition as ({{ quality_definition_version(rules_relation, min_points) }}),

leads as (
    select distinct lead_id from {{ lead_attributes }}{{ lead_changes_filter('where') }}
),

-- Rules are tested once per distinct attribute value, not once per lead: a million
-- leads share a few thousand titles, and a `matches` rule compiles its pattern per row.
attribute_values as (
    select attribute, attribute_value, max(attribute_number) as attribute_number
    from {{ lead_attributes }}
    where attribute_value is not null{{ lead_changes_filter() }}
    group by attribute, attribute_value
),

value_matches as (
    select
        attribute_values.attribute,
        attribute_values.attribute_value,
        rules.rule_id,
        rules.points
    from attribute_values
    inner join rules
        on attribute_values.attribute = rules.attribute
    where case rules.operator
            when 'in' then {{ in_pipe_list('attribute_values.attribute_value', 'rules.value') }}
            when 'not_in' then not {{ in_pipe_list('attribute_values.attribute_value', 'rules.value') }}
            when 'between' then
                attribute_values.attribute_number >= {{ text_to_number(dbt.split_part('rules.value', "'|'", 1)) }}
                and attribute_values.attribute_number <= {{ text_to_number(dbt.split_part('rules.value', "'|'", 2)) }}
            when 'matches' then {{ regexp_search('attribute_values.attribute_value', 'rules.value') }}
            when 'is_not_null' then true
            else false
        end
),

rule_matches as (
    select
        attributes.lead_id,
        value_matches.rule_id,
        value_matches.points
    from attributes
    inner join value_matches
        on attributes.attribute = value_matches.attribute
        and attributes.attribute_value = value_matches.attribute_value
),

scores as (
    select
        lead_id,
        sum(points) as quality_score,
        {{ string_agg_sorted('rule_id') }} as quality_reasons
    from rule_matches
    group by lead_id
)

select
    leads.lead_id,
    coalesce(scores.quality_score, 0) as quality_score,
    case
        when coalesce(scores.quality_score, 0) >= {{ min_points }} then 'quality'
        else 'general'
    end as lead_quality,
    scores.quality_reasons,
    definition.definition_version
from leads
left join scores
    on leads.lead_id = scores.lead_id
cross join definition
{%- endmacro %}


{#- A short, stable fingerprint of a rule set and its threshold. Every scored lead
    carries it, so a change of definition never rewrites history silently. -#}
{% macro quality_definition_version(rules_relation, min_points) -%}
    select
        substring(
            {{ dbt.hash(dbt.concat([
                string_agg_sorted(dbt.concat(["rule_id", "'~'", "attribute", "'~'", "operator", "'~'", "value", "'~'", "cast(points as " ~ dbt.type_string() ~ ")"]), "'\n'", 'rule_id'),
                "'|min_points='",
                "'" ~ min_points ~ "'"
            ])) }}, 1, 12
        ) as definition_version,
        count(*) as rule_count,
        {{ min_points }} as min_points
    from {{ rules_relation }}
{%- endmacro %}
