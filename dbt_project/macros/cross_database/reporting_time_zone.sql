{#- Reporting-time-zone conversions. Raw timestamps are UTC (docs/landing-contract.md); periods are cut
    in var('reporting_time_zone') (docs/kpi-definitions.md). `timestamp_utc` is a SQL expression
    holding a timestamp without time zone in UTC (dbt.type_timestamp(); on DuckDB a
    TIMESTAMPTZ is first read in the session time zone, which the profile sets to UTC;
    on Spark set spark.sql.session.timeZone=UTC). `time_zone` overrides the var with an
    IANA name such as 'Europe/Berlin'. -#}

{#- The wall-clock timestamp (without time zone) in the reporting time zone. -#}
{% macro to_reporting_timestamp(timestamp_utc, time_zone=none) -%}
    {%- set tz = fukan.reporting_time_zone_name(time_zone) -%}
    {{ return(adapter.dispatch('to_reporting_timestamp', 'fukan')(timestamp_utc, tz)) }}
{%- endmacro %}

{% macro default__to_reporting_timestamp(timestamp_utc, time_zone) -%}
    ((cast({{ timestamp_utc }} as {{ dbt.type_timestamp() }}) at time zone 'UTC') at time zone '{{ time_zone }}')
{%- endmacro %}

{% macro duckdb__to_reporting_timestamp(timestamp_utc, time_zone) -%}
    timezone('{{ time_zone }}', timezone('UTC', cast({{ timestamp_utc }} as timestamp)))
{%- endmacro %}

{% macro postgres__to_reporting_timestamp(timestamp_utc, time_zone) -%}
    ((cast({{ timestamp_utc }} as timestamp) at time zone 'UTC') at time zone '{{ time_zone }}')
{%- endmacro %}

{% macro spark__to_reporting_timestamp(timestamp_utc, time_zone) -%}
    from_utc_timestamp(cast({{ timestamp_utc }} as timestamp), '{{ time_zone }}')
{%- endmacro %}

{#- The calendar date in the reporting time zone: the day a KPI counts an event on. -#}
{% macro to_reporting_date(timestamp_utc, time_zone=none) -%}
    cast({{ fukan.to_reporting_timestamp(timestamp_utc, time_zone) }} as date)
{%- endmacro %}

{#- The time zone name to use: the argument, else the var; checked, as it is quoted into SQL. -#}
{% macro reporting_time_zone_name(time_zone=none) -%}
    {%- set tz = time_zone if time_zone is not none else var('reporting_time_zone', 'Asia/Tokyo') -%}
    {%- if not modules.re.match('^[A-Za-z][A-Za-z0-9_+/-]*$', tz | string) -%}
        {{ exceptions.raise_compiler_error(
            "reporting time zone " ~ (tz | string) ~ " is not an IANA time zone name such as 'Asia/Tokyo'") }}
    {%- endif -%}
    {{ return(tz | string) }}
{%- endmacro %}
