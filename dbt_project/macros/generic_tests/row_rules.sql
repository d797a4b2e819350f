{#- A relation's column rules checked in one scan (one test node instead of one per
    column and rule: on a 2-core machine each dbt test node costs ~0.1 s before its query):
      not_null:        columns that must never be null;
      unique:          columns whose non-null values appear once (nulls ignored, as dbt's
                       `unique`);
      accepted_values: {column: [values]}: the column's non-null values must be in the
                       list (values are compared as quoted literals, as dbt's
                       `accepted_values`).
    Fails with one row per broken rule and the number of rows that break it; the test's
    failure count is the sum of those rows. Filter the rows checked with `where:`. -#}
{% test row_rules(model, not_null=[], unique=[], accepted_values={}) %}
{{ config(fail_calc='coalesce(sum(failing_rows), 0)') }}

{%- set rules = [] -%}
{%- for column in not_null -%}
    {%- do rules.append((column ~ ' is not null',
                         'sum(case when ' ~ column ~ ' is null then 1 else 0 end)')) -%}
{%- endfor -%}
{%- for column in unique -%}
    {%- do rules.append((column ~ ' is unique',
                         'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')')) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}
        {%- do listed.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do rules.append((column ~ ' in (' ~ values | join(', ') ~ ')',
                         'sum(case when ' ~ column ~ ' not in (' ~ listed | join(', ') ~ ') then 1 else 0 end)')) -%}
{%- endfor -%}
{%- if rules | length == 0 -%}
    {{ exceptions.raise_compiler_error("row_rules on " ~ model ~ ": give not_null, unique or accepted_values") }}
{%- endif %}

with counted as (
    select
        {%- for label, failing in rules %}
        {{ failing }} as rule_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
)
{%- for label, failing in rules %}
select '{{ label | replace("'", "''") }}' as rule, rule_{{ loop.index }} as failing_rows
from counted
where rule_{{ loop.index }} > 0
{{ 'union all' if not loop.last }}
{%- endfor %}

{% endtest %}
