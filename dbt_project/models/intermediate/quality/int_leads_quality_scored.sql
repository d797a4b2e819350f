{#- Quality classification of every lead under the current definition:
    seeds/quality_lead_rules.csv and var quality_lead_min_points. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_leads_with_changed_records() }}") }}
{{ score_leads(ref('quality_lead_rules'), var('quality_lead_min_points')) }}
