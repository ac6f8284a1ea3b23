-- Market prices, weather per site, issued forecasts, and events (anomaly findings, missing prices).

-- Day-ahead (or uploaded) prices on the UTC axis, [start_ts, end_ts), EUR/MWh.
-- scope: a bidding zone ('DE-LU', market data shared by every site there) or 'site:<id>' (a site's upload).
create table prices (
  scope text not null,
  source text not null,
  start_ts timestamptz not null,
  end_ts timestamptz not null check (end_ts > start_ts),
  price_eur_per_mwh double precision not null,
  fetched_at timestamptz not null default now(),
  primary key (scope, source, start_ts)
);
create index prices_scope_start_idx on prices (scope, start_ts);

-- Every fetch attempt for a delivery day: 'ok', 'no-data' (not published yet), 'error' (retry later).
create table price_fetches (
  id bigint generated always as identity primary key,
  scope text not null,
  source text not null,
  delivery_day date not null,
  attempt integer not null,
  attempted_at timestamptz not null default now(),
  outcome text not null check (outcome in ('ok', 'no-data', 'error')),
  points integer not null default 0,
  detail text
);
create index price_fetches_day_idx on price_fetches (scope, delivery_day, attempted_at);

-- Observed weather per site (archive / history), one row per period [start_ts, end_ts).
create table weather_history (
  site_id text not null references sites (id) on delete cascade,
  start_ts timestamptz not null,
  end_ts timestamptz not null,
  source text not null,
  ghi_w_per_m2 double precision,
  dni_w_per_m2 double precision,
  dhi_w_per_m2 double precision,
  temp_c double precision,
  cloud_cover_pct double precision,
  wind_m_per_s double precision,
  fetched_at timestamptz not null default now(),
  primary key (site_id, start_ts)
);

-- Weather forecasts per site, kept per issue time (what was known when).
create table weather_forecasts (
  site_id text not null references sites (id) on delete cascade,
  issued_at timestamptz not null,
  start_ts timestamptz not null,
  end_ts timestamptz not null,
  source text not null,
  ghi_w_per_m2 double precision,
  dni_w_per_m2 double precision,
  dhi_w_per_m2 double precision,
  temp_c double precision,
  cloud_cover_pct double precision,
  wind_m_per_s double precision,
  primary key (site_id, issued_at, start_ts)
);

-- Issued forecasts: one row per site, target, model and issue time; quantiles as JSON arrays.
create table forecasts (
  id bigint generated always as identity primary key,
  site_id text not null references sites (id) on delete cascade,
  target text not null check (target in ('load', 'pv', 'price')),
  model text not null,
  unit text not null,
  issued_at timestamptz not null,
  start_ts timestamptz not null,
  step_s integer not null check (step_s > 0),
  quantiles jsonb not null,
  created_at timestamptz not null default now(),
  unique (site_id, target, model, issued_at)
);
create index forecasts_site_target_issued_idx on forecasts (site_id, target, issued_at desc);

-- Events ready for alerts: anomaly findings, missing day-ahead prices, failed jobs.
-- dedup_key makes a repeated scan update the same event instead of adding one.
create table events (
  id bigint generated always as identity primary key,
  site_id text not null references sites (id) on delete cascade,
  series_id integer references series (id) on delete cascade,
  kind text not null,
  severity text not null check (severity in ('info', 'warning', 'critical')),
  start_ts timestamptz not null,
  end_ts timestamptz not null,
  message text not null,
  dedup_key text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by text,
  unique (site_id, dedup_key)
);
create index events_site_created_idx on events (site_id, created_at desc);
