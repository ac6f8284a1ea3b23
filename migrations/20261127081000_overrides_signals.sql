-- Manual overrides and grid-operator signals (api/src/control/inputs): the control agents read the
-- active ones from an in-memory cache that is loaded from these tables on start, so both survive
-- a restart. Rows are never deleted by the service: released/expired overrides and cancelled or
-- ended signals stay as history (GET …/overrides shows the recent ones, GET …/grid-signals lists).

-- A person's fixed setpoint for one asset of the site's energy configuration, W (battery + discharge).
-- At most one is active per asset: setting a new one releases the previous one in the same transaction
-- (the service keeps this; "active" depends on now(), which an index cannot express).
create table overrides (
  id text primary key,
  site_id text not null references sites (id) on delete cascade,
  asset_id text not null,
  setpoint_w double precision not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null check (expires_at > created_at),
  -- handed back to automation before the expiry
  released_at timestamptz,
  user_id text,
  user_name text,
  reason text
);
create index overrides_site_idx on overrides (site_id, created_at desc);

-- §14a EnWG dimming and Redispatch 2.0 curtailment/activation orders, [from_at, to_at) UTC.
create table grid_signals (
  id text primary key,
  site_id text not null references sites (id) on delete cascade,
  kind text not null check (kind in ('section14a-dimming', 'redispatch-curtailment', 'redispatch-activation')),
  from_at timestamptz not null,
  to_at timestamptz not null check (to_at > from_at),
  max_controllable_power_w double precision check (max_controllable_power_w >= 0),
  max_pv_power_w double precision check (max_pv_power_w >= 0),
  max_export_power_w double precision check (max_export_power_w >= 0),
  target_grid_w double precision,
  source text not null check (source in ('api', 'mqtt', 'modbus')),
  -- the grid operator's order id: a second delivery with the same reference is the same signal
  reference text,
  received_at timestamptz not null default now(),
  cancelled_at timestamptz
);
create index grid_signals_site_idx on grid_signals (site_id, to_at desc);
create unique index grid_signals_reference_key on grid_signals (site_id, reference) where reference is not null;
