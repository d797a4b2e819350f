{#- A 64-bit integer hash of the values of `columns` (a list of SQL expressions), to
    compare sets of rows by count and sum of fingerprints per group: two sets that
    differ go unnoticed only through a 64-bit collision. Nulls hash too. The values
    differ between engines: compare only within one warehouse. -#}
{% macro row_fingerprint(columns) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'fukan')(columns)) }}
{%- endmacro %}

{% macro default__row_fingerprint(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- The first 16 hex digits of the md5 of the row's text form ("(a,b,)": a null is empty,
    an empty text is ""), read as a bigint. -#}
{% macro postgres__row_fingerprint(columns) -%}
    ('x' || left(md5(cast(row({{ columns | join(', ') }}) as text)), 16))::bit(64)::bigint
{%- endmacro %}

{% macro spark__row_fingerprint(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}
