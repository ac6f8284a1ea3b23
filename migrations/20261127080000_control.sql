-- Control commands (api/src/control): every setpoint the control agents sent to a device — who decided
-- it (source: plan, rule, live-correction, peak-shaving, grid-signal, manual, safe-state), what was asked,
-- what the safety envelope let through and which limits clamped it, the revert timeout written with it,
-- and the device's answer. The agents resume from the newest row per asset after a restart (ramp limits,
-- PV limits in force). Kept for LUNA_CONTROL_RETENTION_DAYS (default 30), pruned by the service.
create table control_commands (
  id bigint generated always as identity primary key,
  site_id text not null references sites (id) on delete cascade,
  asset_id text not null,
  device_id text not null,
  setpoint text not null,
  at timestamptz not null,
  source text not null check (source in ('plan', 'rule', 'live-correction', 'peak-shaving', 'grid-signal', 'manual', 'safe-state')),
  requested_w double precision not null,
  written_w double precision not null,
  clamped_by jsonb not null default '[]',
  revert_timeout_s integer not null check (revert_timeout_s > 0),
  result text not null check (result in ('ok', 'failed', 'skipped')),
  error text,
  user_id text,
  user_name text
);
create index control_commands_site_at_idx on control_commands (site_id, at desc, id desc);
create index control_commands_asset_idx on control_commands (site_id, asset_id, at desc);
