{#- Latest-wins versioning for CRM extracts (shared/CONTRACT.md, "Semantics").
    Per record id, the current version is the row with the greatest system_modstamp
    (falling back to last_modified_date, then created_date); a later file breaks ties,
    then a later row of the same file. Raw keeps every version; staging keeps one.

    Incremental builds rank again only the records that have a version in a file loaded
    since the last build (`_file_seq` above the model's watermark), over all their
    versions, so a late-arriving older version never wins and a newer one always does. -#}
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
        {%- if is_incremental() %}
        where {{ key }} in (
            select {{ key }} from {{ relation }} where _file_seq > {{ file_seq_watermark() }}
        )
        {%- endif %}
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
        _source_row as source_row,
        _file_seq as source_file_seq
{%- endmacro %}


{#- The newest landing file an incremental model has already seen: the greatest
    `source_file_seq` among its rows (file numbers grow with every load, across objects).
    Anything loaded later is new to the model. A pinned `as_of` needs a full refresh. -#}
{% macro file_seq_watermark() -%}
    {%- if var('as_of') -%}
        {{ exceptions.raise_compiler_error(
            "as_of replays a past day, which an incremental build cannot undo: add --full-refresh"
        ) }}
    {%- endif -%}
    (select coalesce(max(source_file_seq), 0) from {{ this }})
{%- endmacro %}
