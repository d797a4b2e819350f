{#- The role records (int_kpi_inside_sales_roles) summed per rep, team, role, rule, the
    attributes the rules read as flags, lead quality, record type, day and win day: what
    kpi_inside_sales_roles and the tests read, a few percent of the records' rows.
    Definitions: _int_kpi_inside_sales_roles.yml. -#}
{%- set grain = [
    'rep_user_id', 'team_id', 'sales_role', 'role_rule_id', 'is_existing_customer', 'is_re_engaged',
    'has_lead', 'lead_quality', 'record_type', 'record_date', 'won_date',
] %}
with

records as (select * from {{ ref('int_kpi_inside_sales_roles') }})

select
    {{ grain | join(',\n    ') }},
    cast(count(*) as {{ dbt.type_bigint() }}) as records,
    cast(sum(calls) as {{ dbt.type_bigint() }}) as calls,
    cast(sum(connected_calls) as {{ dbt.type_bigint() }}) as connected_calls,
    cast(sum(appointments) as {{ dbt.type_bigint() }}) as appointments,
    cast(sum(opportunities) as {{ dbt.type_bigint() }}) as opportunities,
    cast(count(won_date) as {{ dbt.type_bigint() }}) as won,
    cast(sum(won_amount) as {{ type_double() }}) as won_amount
from records
group by
    {{ grain | join(',\n    ') }}
