-- Devices: one row per configured device of a site (the Integration Layer's drivers read these).
-- `config` holds the validated device configuration (api/src/devices/definition.ts
-- deviceConfigSchema: model, protocol, connection, series prefix); `model` names a definition in
-- devices/models/*.json. Secrets in `config` (MQTT/OPC UA passwords) are never returned by the API.

create table devices (
  site_id text not null references sites (id) on delete cascade,
  id text not null check (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  model text not null,
  protocol text not null check (protocol in ('modbus', 'sunspec', 'mqtt', 'opcua')),
  enabled boolean not null default true,
  config jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (site_id, id)
);
