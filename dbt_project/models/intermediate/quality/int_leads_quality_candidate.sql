{#- Quality classification of every lead under the candidate definition the what-if
    compares: the seed named by var quality_lead_rules_candidate and var
    quality_lead_candidate_min_points. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
{{ score_leads(ref(var('quality_lead_rules_candidate')), var('quality_lead_candidate_min_points')) }}
