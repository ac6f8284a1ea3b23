-- Alerts (api/src/alerts): rules per site, alert instances with their life cycle, and the delivery outbox.

-- A site's rule set. A site without a row here uses the built-in default rules (api/src/alerts/rules.ts);
-- once an operator saves a rule set (even an empty one) the stored rules are used.
create table alert_rule_sets (
  site_id text primary key references sites (id) on delete cascade,
  updated_at timestamptz not null default now(),
  updated_by text not null
);

create table alert_rules (
  site_id text not null references sites (id) on delete cascade,
  id text not null check (id ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  kind text not null check (kind in ('threshold', 'anomaly', 'device-offline', 'peak-at-risk')),
  name text not null,
  enabled boolean not null default true,
  severity text not null check (severity in ('info', 'warning', 'critical')),
  -- kind-specific parameters and delivery settings, validated by api/src/alerts/rules.ts
  params jsonb not null,
  position integer not null,
  primary key (site_id, id)
);

-- One open (firing or acknowledged) alert per rule and subject; repeats of the condition are counted on it.
create table alerts (
  id uuid primary key default gen_random_uuid(),
  site_id text not null references sites (id) on delete cascade,
  rule_id text not null,
  rule_kind text not null,
  subject text not null,
  state text not null check (state in ('firing', 'acknowledged', 'resolved')),
  severity text not null check (severity in ('info', 'warning', 'critical')),
  message text not null,
  value double precision,
  fired_at timestamptz not null,
  last_seen_at timestamptz not null,
  repeat_count integer not null default 0,
  last_notified_at timestamptz,
  notify_count integer not null default 0,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz
);
create unique index alerts_open on alerts (site_id, rule_id, subject) where state <> 'resolved';
create index alerts_site_time on alerts (site_id, fired_at desc);

-- Delivery outbox: every notification of an alert to a channel, retried with backoff until delivered
-- or out of attempts; the outcome of each attempt is kept.
create table alert_deliveries (
  id bigint generated always as identity primary key,
  alert_id uuid not null references alerts (id) on delete cascade,
  channel text not null check (channel in ('webhook', 'email')),
  -- firing, acknowledged, resolved, renotify
  reason text not null,
  payload jsonb not null,
  status text not null check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index alert_deliveries_pending on alert_deliveries (next_attempt_at) where status = 'pending';
