-- Access: sites, users, per-site roles, sessions, API keys, append-only audit log.

create table sites (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null,
  time_zone text not null default 'Europe/Berlin',
  automation_enabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null,
  password_hash text not null,
  disabled boolean not null default false,
  failed_logins integer not null default 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_username_key on users (lower(username));

-- A role on one site, or on every site with site_id = '*'.
create table role_grants (
  user_id uuid not null references users (id) on delete cascade,
  site_id text not null,
  role text not null check (role in ('viewer', 'operator', 'engineer', 'admin')),
  granted_at timestamptz not null default now(),
  primary key (user_id, site_id)
);

-- Opaque bearer tokens; only their SHA-256 is stored.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  access_hash text not null unique,
  access_expires_at timestamptz not null,
  refresh_hash text not null unique,
  refresh_expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  user_agent text
);
create index sessions_user_idx on sessions (user_id);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  prefix text not null,
  key_hash text not null unique,
  site_id text not null,
  scopes text[] not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_type text not null check (actor_type in ('user', 'api_key', 'system', 'anonymous')),
  actor_id text,
  actor_name text,
  action text not null,
  target text,
  site_id text,
  before jsonb,
  after jsonb,
  request_id text,
  ip text
);
create index audit_log_at_idx on audit_log (at);

-- Append-only: the database itself refuses to change or remove audit entries.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();
