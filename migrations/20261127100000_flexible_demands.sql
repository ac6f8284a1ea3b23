-- Flexible-load demands (api/src/flexible): "this flexible load (e.g. an EV charger) needs energy_wh
-- between available_from and deadline". The planner plans the energy still needed (energy_wh −
-- delivered_wh) into the site's plan; the control agents follow the plan's setpoint for the asset.
-- delivered_wh is measured from the asset's power series when it has one, else from the setpoints
-- the control agents wrote (control_commands); delivered_source says which.
-- state: open → done (delivered ≥ energy) | missed (deadline passed before that; delivered_wh is what
-- was delivered by the deadline) | cancelled (by a person). Rows are kept as history.
create table flexible_demands (
  id text primary key,
  site_id text not null references sites (id) on delete cascade,
  asset_id text not null,
  energy_wh double precision not null check (energy_wh > 0),
  available_from timestamptz not null,
  deadline timestamptz not null check (deadline > available_from),
  created_at timestamptz not null default now(),
  created_by text,
  state text not null default 'open' check (state in ('open', 'done', 'missed', 'cancelled')),
  delivered_wh double precision not null default 0 check (delivered_wh >= 0),
  delivered_source text check (delivered_source in ('readings', 'commands')),
  closed_at timestamptz
);
create index flexible_demands_site_idx on flexible_demands (site_id, created_at desc);
-- at most one open demand per asset
create unique index flexible_demands_open_idx on flexible_demands (site_id, asset_id) where state = 'open';
