{#- Latest-wins versioning for CRM extracts (shared/CONTRACT.md, "Semantics").
    Per record id, the current version is the row with the greatest system_modstamp
    (falling back to last_modified_date, then created_date); a later file breaks ties,
    then a later row of the same file. Raw keeps every version; staging exposes one. -#}
{% macro latest_version(relation, key='id') -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key }}
                order by
                    coalesce(system_modstamp, last_modified_date, created_date) desc,
                    _file_seq desc,
                    _source_row desc
            ) as version_rank
        from {{ relation }}
    ) as versions
    where version_rank = 1
{%- endmacro %}


{#- The columns every staging model carries after its own: when the record was created
    and last changed, whether it is deleted, and which file and row gave this version. -#}
{% macro crm_version_columns() -%}
    created_date as created_at,
        coalesce(system_modstamp, last_modified_date, created_date) as modified_at,
        coalesce(is_deleted, false) as is_deleted,
        _source_file as source_file,
        _source_row as source_row
{%- endmacro %}
