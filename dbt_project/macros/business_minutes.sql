{#- Business time: the seconds between two instants that fall inside business hours
    (vars business_hours_start / business_hours_end, wall clock in the reporting time
    zone) on business days (dim_dates.is_business_day). Set-based, with no row per
    minute or per day: a "business clock" gives every calendar date the business
    seconds of all business days before it, so an instant's place on the clock is that
    count plus the business seconds of its own day up to the instant (clipped to the
    hours); a duration is the difference of two places. Every business day adds the
    same length, so the clock reads k x day length at the close of the k-th business
    day. Plain SQL and dbt cross-database macros, the same on every warehouse. -#}

{#- The business hours as seconds after midnight: {'start': .., 'end': .., 'length': ..},
    from the vars ('HH:MM', 24-hour clock), checked. -#}
{% macro business_hours() -%}
    {%- set bounds = {} -%}
    {%- for name in ['business_hours_start', 'business_hours_end'] -%}
        {%- set text = var(name) | string | trim -%}
        {%- set parsed = modules.re.match('^([01]?[0-9]|2[0-4]):([0-5][0-9])$', text) -%}
        {%- if not parsed or (parsed.group(1) | int) * 60 + (parsed.group(2) | int) > 24 * 60 -%}
            {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a time of day 'HH:MM' such as '09:00', got '" ~ text ~ "'") }}
        {%- endif -%}
        {%- do bounds.update({name: ((parsed.group(1) | int) * 60 + (parsed.group(2) | int)) * 60}) -%}
    {%- endfor -%}
    {%- if bounds['business_hours_start'] >= bounds['business_hours_end'] -%}
        {{ exceptions.raise_compiler_error("var business_hours_start (" ~ var('business_hours_start') ~ ") must come before business_hours_end (" ~ var('business_hours_end') ~ ")") }}
    {%- endif -%}
    {{ return({
        'start': bounds['business_hours_start'],
        'end': bounds['business_hours_end'],
        'length': bounds['business_hours_end'] - bounds['business_hours_start'],
    }) }}
{%- endmacro %}

{#- The business clock: a select of one row per date of `dates` (a relation with
    calendar_date and is_business_day, i.e. dim_dates) with business_seconds_before_day,
    the business seconds of every earlier business day of the relation. -#}
{% macro business_clock(dates) -%}
    {%- set hours = business_hours() -%}
    select
        calendar_date,
        is_business_day,
        coalesce(
            sum(case when is_business_day then {{ hours['length'] }} else 0 end) over (
                order by calendar_date rows between unbounded preceding and 1 preceding
            ),
            0
        ) as business_seconds_before_day
    from {{ dates }}
{%- endmacro %}

{#- Where an instant stands on the business clock, in seconds: `clock` is the alias of
    the business_clock row of the instant's reporting date, `local_timestamp` the
    instant as wall-clock time in the reporting time zone (to_reporting_timestamp).
    Time before the opening counts nothing of the day, time after the close all of it;
    a day that is not a business day adds nothing. -#}
{% macro business_clock_seconds(clock, local_timestamp) -%}
    {%- set hours = business_hours() -%}
    ({{ clock }}.business_seconds_before_day + case
        when {{ clock }}.is_business_day
            then least(
                greatest(
                    extract(hour from {{ local_timestamp }}) * 3600
                    + extract(minute from {{ local_timestamp }}) * 60
                    + floor(extract(second from {{ local_timestamp }}))
                    - {{ hours['start'] }},
                    0
                ),
                {{ hours['length'] }}
            )
        else 0
    end)
{%- endmacro %}
