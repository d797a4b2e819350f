{#- Quality classification of every lead under the current definition:
    seeds/quality_lead_rules.csv and var quality_lead_min_points. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
{{ score_leads(ref('quality_lead_rules'), var('quality_lead_min_points')) }}
