-- The funnel_steps() macro and seeds/funnel_steps.csv must list the same steps in the
-- same order: models iterate the macro, reports read the seed.
with

macro_steps as (
    {%- for step in funnel_steps() %}
    select {{ loop.index }} as step_number, '{{ step }}' as funnel_step
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

seed_steps as (
    select step_number, funnel_step from {{ ref('funnel_steps') }}
)

select coalesce(macro_steps.funnel_step, seed_steps.funnel_step) as funnel_step
from macro_steps
full outer join seed_steps
    on macro_steps.step_number = seed_steps.step_number
    and macro_steps.funnel_step = seed_steps.funnel_step
where macro_steps.funnel_step is null or seed_steps.funnel_step is null
