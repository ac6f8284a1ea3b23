-- Site energy configuration and the plan history of the MPC planning service (api/src/planning).
--
-- site_energy: one row per site; `config` holds the validated SiteEnergy (api/src/site-energy/model.ts:
-- grid limits, tariff, PV, batteries, flexible loads, series keys); `version` goes up by one with every
-- change (each change is audited with before/after). Only sites with a row here are planned for.
create table site_energy (
  site_id text primary key references sites (id) on delete cascade,
  config jsonb not null,
  version integer not null default 1 check (version > 0),
  updated_at timestamptz not null default now(),
  updated_by text
);

-- plans: every plan the planner made (also the infeasible ones and those that failed), newest first per
-- site. `steps` are ActivePlanStep objects (api/src/control/model.ts); `cost` and `problems` are the
-- optimiser's; `inputs` summarises what the plan was made from (forecast ids and issue times, price
-- coverage, SoC, peak so far). Kept for LUNA_PLAN_RETENTION_DAYS (default 30), pruned by the service.
create table plans (
  id text primary key,
  site_id text not null references sites (id) on delete cascade,
  created_at timestamptz not null,
  reason text not null,
  status text not null check (status in ('optimal', 'infeasible', 'invalid', 'failed')),
  horizon_start timestamptz not null,
  horizon_end timestamptz not null,
  peak_target_w double precision not null,
  cost jsonb,
  problems jsonb not null default '[]',
  steps jsonb not null default '[]',
  inputs jsonb not null default '{}',
  solve_ms double precision not null
);
create index plans_site_created_idx on plans (site_id, created_at desc);
