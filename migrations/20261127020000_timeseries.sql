-- Time-series store: assets, series, readings, rollups, quarantine, ingest log.
-- Plain PostgreSQL; on TimescaleDB the service turns readings into a hypertable at start-up.

alter table sites add column latitude double precision check (latitude between -90 and 90);
alter table sites add column longitude double precision check (longitude between -180 and 180);

create table assets (
  id integer generated always as identity primary key,
  site_id text not null references sites (id) on delete cascade,
  key text not null,
  name text not null,
  kind text not null check (kind in ('meter', 'grid_connection', 'pv', 'battery', 'ev_charger', 'heat_pump', 'flexible_load', 'weather', 'other')),
  created_at timestamptz not null default now(),
  unique (site_id, key)
);

-- quantity/unit: canonical (W, Wh, %, °C, W/m², V, A, Hz, EUR/MWh); semantics: instantaneous | cumulative | interval
create table series (
  id integer generated always as identity primary key,
  site_id text not null references sites (id) on delete cascade,
  asset_id integer references assets (id) on delete set null,
  key text not null,
  name text not null,
  quantity text not null,
  unit text not null,
  semantics text not null check (semantics in ('instantaneous', 'cumulative', 'interval')),
  interval_s integer check (interval_s > 0),
  created_at timestamptz not null default now(),
  unique (site_id, key)
);

-- quality: 0 measured, 1 estimated, 2 substituted, 3 invalid. One value per series and time.
create table readings (
  series_id integer not null,
  ts timestamptz not null,
  value double precision not null,
  quality smallint not null default 0,
  primary key (series_id, ts)
);
create index readings_ts_brin on readings using brin (ts);

-- Rollups maintained by the writer: buckets of 15 min and 1 h (UTC-aligned) and 1 d (local days of the site).
create table readings_rollup (
  series_id integer not null,
  resolution text not null check (resolution in ('15m', '1h', '1d')),
  bucket timestamptz not null,
  n integer not null,
  sum double precision not null,
  min double precision not null,
  max double precision not null,
  last double precision not null,
  last_ts timestamptz not null,
  worst_quality smallint not null,
  primary key (series_id, resolution, bucket)
);

create table quarantine (
  id bigint generated always as identity primary key,
  received_at timestamptz not null default now(),
  site_id text,
  source text not null,
  line integer,
  field text,
  reason text not null,
  raw text
);
create index quarantine_received_idx on quarantine (received_at);

create table ingest_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  site_id text,
  source text not null,
  accepted integer not null,
  duplicate integer not null,
  rejected integer not null,
  detail jsonb
);
create index ingest_log_at_idx on ingest_log (at);
