{#- Quality classification of every lead under the current definition:
    seeds/quality_lead_rules.csv and var quality_lead_min_points. -#}
{{ score_leads(ref('quality_lead_rules'), var('quality_lead_min_points')) }}
