-- Rule sets per site (api/src/rules/store.ts) and the strategy bandits of the recommendations
-- (api/src/recommend/store.ts).
--
-- rule_sets: every PUT /sites/:siteId/rules writes a new version; old versions are kept. The highest
-- version of a site is its active rule set. `rules` holds the validated RuleSet (api/src/rules/schema.ts)
-- with its `version` equal to the row's; `builtin` names the built-in set it was made from (grid-friendly,
-- self-consumption) or is null for a custom set. A set with `enabled` false switches the rules off.
create table rule_sets (
  site_id text not null references sites (id) on delete cascade,
  version integer not null check (version > 0),
  builtin text check (builtin in ('grid-friendly', 'self-consumption')),
  enabled boolean not null default true,
  rules jsonb not null,
  created_at timestamptz not null default now(),
  created_by text,
  primary key (site_id, version)
);

-- bandit_state: per site and policy (thompson, linucb) the bandit's state() as JSON (api/src/recommend/bandit.ts),
-- updated from realised outcomes; `arms` lists the arm ids the state was made for.
create table bandit_state (
  site_id text not null references sites (id) on delete cascade,
  policy text not null check (policy in ('thompson', 'linucb')),
  state jsonb not null,
  updates integer not null default 0 check (updates >= 0),
  updated_at timestamptz not null default now(),
  primary key (site_id, policy)
);

-- bandit_outcomes: every realised outcome fed to the bandits (reward in EUR, the context vector it was
-- observed in), so a state can be rebuilt or audited.
create table bandit_outcomes (
  id bigserial primary key,
  site_id text not null references sites (id) on delete cascade,
  arm_id text not null,
  context jsonb not null,
  reward_eur double precision not null,
  recorded_at timestamptz not null default now()
);
create index bandit_outcomes_site_idx on bandit_outcomes (site_id, recorded_at desc);
