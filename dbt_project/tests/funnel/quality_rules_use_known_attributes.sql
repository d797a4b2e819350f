-- Every quality rule (current and candidate) must test a lead attribute the warehouse
-- knows (var quality_rule_attributes) with a known operator: a typo would otherwise
-- silently match nothing.
{%- set attributes = var('quality_rule_attributes').keys() | list %}
with

rules as (
    select
        'current' as definition_name,
        rule_id,
        attribute,
        operator
    from {{ ref('quality_lead_rules') }}
    union all
    select
        'candidate' as definition_name,
        rule_id,
        attribute,
        operator
    from {{ ref(var('quality_lead_rules_candidate')) }}
)

select *
from rules
where
    attribute not in ('{{ attributes | join("', '") }}')
    or operator not in ('in', 'not_in', 'between', 'matches', 'is_not_null')
