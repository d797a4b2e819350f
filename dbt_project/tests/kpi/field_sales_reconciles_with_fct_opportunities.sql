{#- kpi_field_sales: at each period grain, the counts and amounts summed over all periods
    and reps equal fct_opportunities, per lead quality and for 'all' - each dated by its
    own date (created, proposal, close) within the reporting range (first date with data
    to the as-of date). Fails with one row per grain, class and measure whose totals differ. -#}
{%- set measures = {
    'opportunities': ('1', 'created_date'),
    'opportunities_with_proposal': ('case when has_proposal then 1 else 0 end', 'created_date'),
    'proposals': ('case when has_proposal then 1 else 0 end', 'proposal_date'),
    'won': ('case when is_won then 1 else 0 end', 'closed_date'),
    'lost': ('case when is_lost then 1 else 0 end', 'closed_date'),
    'won_amount': ('case when is_won then coalesce(amount, 0) else 0 end', 'closed_date'),
    'lost_amount': ('case when is_lost then coalesce(amount, 0) else 0 end', 'closed_date'),
    'cycle_days_total': ('case when is_won or is_lost then coalesce(cycle_days, 0) else 0 end', 'closed_date'),
} %}
with

field_sales as (select * from {{ ref('kpi_field_sales') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

reporting_range as (
    select
        min(calendar_date) as first_date,
        max(calendar_date) as last_date
    from reporting_periods
),

classified as (
    select
        opportunities.*,
        case
            when opportunities.origin = 'not_lead_sourced' then 'not_lead_sourced' else opportunities.lead_quality
        end as quality_class
    from opportunities
),

fact_totals as (
    {%- for measure, (expression, date_column) in measures.items() %}
        select
            classified.quality_class as lead_quality,
            '{{ measure }}' as measure,
            sum({{ expression }}) as fact_total
        from classified
        cross join reporting_range
        where classified.{{ date_column }} between reporting_range.first_date and reporting_range.last_date
        group by classified.quality_class
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

{{ totals_reconcile_at_every_grain('field_sales', measures.keys() | list, 'fact_totals') }}
