{#- Latest-wins versioning for CRM extracts (docs/landing-contract.md).
    Per record id, the current version is the row with the greatest system_modstamp
    (falling back to last_modified_date, then created_date); a later file breaks ties,
    then a later row of the same file. Raw keeps every version; staging keeps one.

    Most records have one version, which wins without ranking: only ids with several
    versions go through the window, which on wide rows costs more than the rest of the
    model. Ids are never null in raw (ingestion quarantines such rows).

    Incremental builds rank again only the records that have a version in a file loaded
    since the last build (`_file_seq` above the model's watermark), over all their
    versions, so a late-arriving older version never wins and a newer one always does. -#}
{% macro latest_version(relation, key='id') -%}
    {%- set recorded_builds = ref('stg_ingest__dbt_builds') -%}
    {%- set candidates -%}
        select * from {{ relation }}
        {%- if is_incremental() %}
        where {{ key }} in (
            select {{ key }} from {{ relation }} where _file_seq > {{ file_seq_watermark(recorded_builds) }}
        )
        {%- endif %}
    {%- endset -%}
    {%- set versioned_keys -%}
        select {{ key }} from ({{ candidates }}) as candidates group by {{ key }} having count(*) > 1
    {%- endset -%}
    select candidates.*, cast(1 as {{ dbt.type_bigint() }}) as version_rank
    from ({{ candidates }}) as candidates
    left join ({{ versioned_keys }}) as versioned
        on candidates.{{ key }} = versioned.{{ key }}
    where versioned.{{ key }} is null
    union all
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
        from ({{ candidates }}) as candidates
        where {{ key }} in ({{ versioned_keys }})
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


{#- The newest landing file a model has already seen; anything loaded later is new to
    it. Files of every object are numbered in one sequence as they load.

    Two lower bounds, the greater wins: the newest file loaded before the last complete
    build the pipeline recorded (`recorded_builds`, the relation of model
    stg_ingest__dbt_builds, which the caller refs so dbt knows the dependency; empty
    when dbt runs alone), and the newest file among the model's own rows. The second
    alone would undercount for a model that reads several objects: a user snapshot
    loaded after the task files would look new to the activities forever. A model whose
    rows carry no `source_file_seq` passes `own_rows=false`: without a recorded build
    its watermark is 0, and it rebuilds every row it holds.
    An incremental build with a pinned `as_of` is refused: it needs a full refresh. -#}
{% macro file_seq_watermark(recorded_builds, own_rows=true) -%}
    {%- if var('as_of') and is_incremental() -%}
        {{ exceptions.raise_compiler_error(
            "as_of replays a past day, which an incremental build cannot undo: add --full-refresh"
        ) }}
    {%- endif -%}
    {%- set watermarks = ['select max(loaded_through_file_seq) as file_seq from ' ~ recorded_builds] %}
    {%- if own_rows %}{% do watermarks.append('select max(source_file_seq) as file_seq from ' ~ this) %}{% endif %}
    (select coalesce(max(file_seq), 0) from ({{ watermarks | join(' union all ') }}) as watermarks)
{%- endmacro %}
