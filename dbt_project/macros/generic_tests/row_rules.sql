{#- Every rule a relation's rows must follow, checked in one scan (one test node instead
    of one per column and rule: on a 2-core machine each dbt test node costs ~0.1 s
    before its query):
      not_null:        columns that must never be null;
      unique:          columns whose non-null values appear once (nulls ignored, as dbt's
                       `unique`);
      unique_combinations: [[column, ...], ...]: no two rows share the values of a list
                       (the grain; nulls count as equal, as in group by). Each list is one
                       more scan, grouped, but no more test nodes;
      accepted_values: {column: [values]}: the column's non-null values must be in the
                       list (values are compared as quoted literals, as dbt's
                       `accepted_values`);
      holds:           {name: expression}: a boolean SQL expression true on every row
                       (false or null breaks it); the name labels the rule;
      implies:         [[condition, consequence], ...]: where the condition is true, the
                       consequence must be true too (false or null breaks it);
      not_increasing_along: [[column, ...], ...]: along each ordered list no value
                       exceeds the one before it (leads >= worked >= won); a pair with a
                       null is not compared;
      non_decreasing_timestamps: [[column, ...], ...]: along each ordered list no
                       timestamp is earlier than one before it; nulls (steps not reached)
                       are skipped, so every pair of non-null values is compared;
      rates:           {rate: [numerator, denominator]}: the rate rule of every KPI mart
                       (macro rate_rule_breaks): a share in [0, 1] equal to numerator /
                       denominator, null exactly when the denominator is 0 or null. Give
                       {numerator, denominator, where} to check it only on the rows where
                       the condition holds;
      ratios:          the same for ratios that may exceed 1 (items per call, yen per
                       lead): >= 0 instead of in [0, 1].
    Fails with one row per broken rule and the number of rows that break it; the test's
    failure count is the sum of those rows. Filter the rows checked with `where:`. -#}
{% test row_rules(model, not_null=[], unique=[], unique_combinations=[], accepted_values={}, holds={},
                  implies=[], not_increasing_along=[], non_decreasing_timestamps=[], rates={}, ratios={}) %}
{{ config(fail_calc='coalesce(sum(failing_rows), 0)') }}

{%- set rules = [] -%}
{%- for column in not_null -%}
    {%- do rules.append((column ~ ' is not null', column ~ ' is null')) -%}
{%- endfor -%}
{%- for name, expression in holds.items() -%}
    {%- do rules.append((name, 'not coalesce((' ~ expression ~ '), false)')) -%}
{%- endfor -%}
{%- for pair in implies -%}
    {%- if pair is string or pair | length != 2 -%}
        {{ exceptions.raise_compiler_error("row_rules on " ~ model ~ ": each `implies` entry is [condition, consequence]") }}
    {%- endif -%}
    {%- do rules.append((pair[0] ~ ' implies ' ~ pair[1],
                         '(' ~ pair[0] ~ ') and not coalesce((' ~ pair[1] ~ '), false)')) -%}
{%- endfor -%}
{%- for columns in not_increasing_along + non_decreasing_timestamps -%}
    {%- if columns is string or columns | length < 2 -%}
        {{ exceptions.raise_compiler_error("row_rules on " ~ model ~ ": each ordered list needs at least two columns") }}
    {%- endif -%}
{%- endfor -%}
{%- for columns in not_increasing_along -%}
    {%- set rises = [] -%}
    {%- for column in columns[1:] -%}
        {%- do rises.append(column ~ ' > ' ~ columns[loop.index0]) -%}
    {%- endfor -%}
    {%- do rules.append((columns | join(' >= '), rises | join(' or '))) -%}
{%- endfor -%}
{%- for columns in non_decreasing_timestamps -%}
    {%- set reversed = [] -%}
    {%- for earlier in columns -%}
        {%- set outer = loop -%}
        {%- for later in columns[outer.index:] -%}
            {%- do reversed.append(earlier ~ ' > ' ~ later) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do rules.append((columns | join(' <= ') ~ ' where set', reversed | join(' or '))) -%}
{%- endfor -%}
{%- for family, declared in [('rates', rates), ('ratios', ratios)] -%}
    {%- for rate, spec in declared.items() -%}
        {%- set spec = {'numerator': spec[0], 'denominator': spec[1]} if spec is sequence and spec is not mapping and spec is not string else spec -%}
        {%- if spec is not mapping or not spec.get('numerator') or not spec.get('denominator') -%}
            {{ exceptions.raise_compiler_error("row_rules on " ~ model ~ ": `" ~ family ~ "` maps " ~ rate ~ " to [numerator, denominator] or {numerator, denominator, where}") }}
        {%- endif -%}
        {%- set breaks = fukan.rate_rule_breaks(rate, spec['numerator'], spec['denominator'], is_share=(family == 'rates')) -%}
        {%- do rules.append((rate ~ ' = ' ~ spec['numerator'] ~ ' / ' ~ spec['denominator'] ~ (' where ' ~ spec['where'] if spec.get('where') else ''),
                             '(' ~ spec['where'] ~ ') and ' ~ breaks if spec.get('where') else breaks)) -%}
    {%- endfor -%}
{%- endfor -%}
{%- set counts = [] -%}
{%- for label, breaks in rules -%}
    {%- do counts.append((label, 'sum(case when ' ~ breaks ~ ' then 1 else 0 end)')) -%}
{%- endfor -%}
{%- for column in unique -%}
    {%- do counts.append((column ~ ' is unique', 'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')')) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}
        {%- do listed.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do counts.append((column ~ ' in (' ~ values | join(', ') ~ ')',
                          'sum(case when ' ~ column ~ ' not in (' ~ listed | join(', ') ~ ') then 1 else 0 end)')) -%}
{%- endfor -%}
{%- for columns in unique_combinations -%}
    {%- if columns is string or columns | length < 1 -%}
        {{ exceptions.raise_compiler_error("row_rules on " ~ model ~ ": each `unique_combinations` entry is a list of columns") }}
    {%- endif -%}
{%- endfor -%}
{%- if counts | length == 0 and unique_combinations | length == 0 -%}
    {{ exceptions.raise_compiler_error("row_rules on " ~ model ~ ": give at least one rule") }}
{%- endif %}

{%- if counts %}
with counted as (
    select
        {%- for label, failing in counts %}
        {{ failing }} as rule_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
)
{%- endif %}
{%- for label, failing in counts %}
select '{{ label | replace("'", "''") }}' as rule, rule_{{ loop.index }} as failing_rows
from counted
where rule_{{ loop.index }} > 0
{{ 'union all' if not loop.last or unique_combinations }}
{%- endfor %}
{%- for columns in unique_combinations %}
select '{{ (columns | join(', ') ~ ' is unique') | replace("'", "''") }}' as rule, failing_rows
from (
    select sum(row_count) - count(*) as failing_rows
    from (
        select count(*) as row_count
        from {{ model }}
        group by {{ columns | join(', ') }}
        having count(*) > 1
    ) as duplicated
) as combination_{{ loop.index }}
where failing_rows > 0
{{ 'union all' if not loop.last }}
{%- endfor %}

{% endtest %}
