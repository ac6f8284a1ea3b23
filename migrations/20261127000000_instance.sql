-- Foundation: who this installation is and its settings. Later migrations add sites, series,
-- readings, users, documents … Plain PostgreSQL only: TimescaleDB/pgvector are optional extras.
create table instance (
  id boolean primary key default true check (id),
  instance_id uuid not null default gen_random_uuid(),
  created_at timestamptz not null default now()
);
insert into instance default values;

create table settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
