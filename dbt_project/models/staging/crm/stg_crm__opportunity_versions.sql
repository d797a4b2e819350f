{#- Every loaded version of every opportunity, not only the latest: the tracked fields
    (stage, amount, close date, probability, forecast category) as each version had them
    at its version instant. int_opportunity_history_intervals adds them to
    opportunity_history, so an opportunity without history rows (or with gaps in them)
    still shows every state an extract caught. A view: its one reader scans it once. -#}
{{ config(materialized='view') }}

select
    id as opportunity_id,
    stage_name,
    cast(amount as {{ type_double() }}) as amount,
    close_date,
    cast(probability as {{ type_double() }}) as probability,
    forecast_category_name as forecast_category,
    coalesce(system_modstamp, last_modified_date, created_date) as versioned_at,
    coalesce(is_deleted, false) as is_deleted,
    _file_seq as source_file_seq
from {{ source('crm', 'opportunity') }}
