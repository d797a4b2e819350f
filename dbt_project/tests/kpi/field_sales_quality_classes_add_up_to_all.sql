{#- kpi_field_sales: for every period and rep, the quality, general and not_lead_sourced
    rows add up to the all row, for every count and amount; each rep-period has exactly
    these four rows. Fails with the rep-period and the sums. -#}
{%- set columns = ['opportunities', 'opportunities_with_proposal', 'proposals', 'won', 'lost', 'closed',
                   'won_amount', 'lost_amount', 'closed_amount', 'cycle_days_total', 'handoffs',
                   'followed_handoffs'] %}
with

field_sales as (select * from {{ ref('kpi_field_sales') }}),

by_rep_period as (
    select
        period_grain,
        period_start,
        owner_user_id,
        count(*) as quality_rows,
    {%- for column in columns %}
        sum(case when lead_quality <> 'all' then {{ column }} else 0 end) as split_{{ column }},
        sum(case when lead_quality = 'all' then {{ column }} else 0 end) as all_{{ column }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from field_sales
    group by period_grain, period_start, owner_user_id
)

select *
from by_rep_period
where
    quality_rows <> 4
    {%- for column in columns %}
        or abs(split_{{ column }} - all_{{ column }}) > {{ '0.01' if 'amount' in column else '0' }}
    {%- endfor %}
