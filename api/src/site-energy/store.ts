/**
 * Site energy configuration storage (adapter): one validated SiteEnergy per site in table
 * `site_energy`, with a version that goes up by one with every change. Every change is audited
 * with before/after by the caller's transaction (see putSiteEnergy).
 */
import { recordAudit, type Actor } from '../audit/index.js';
import type { Database, Queryable } from '../store/index.js';
import { parseSiteEnergy, type SiteEnergy } from './model.js';

export interface StoredSiteEnergy {
  siteId: string;
  config: SiteEnergy;
  version: number;
  updatedAtMs: number;
  updatedBy: string | null;
}

interface Row {
  site_id: string;
  config: unknown;
  version: number;
  updated_at: Date | string;
  updated_by: string | null;
}

function toStored(r: Row): StoredSiteEnergy {
  const raw = typeof r.config === 'string' ? (JSON.parse(r.config) as unknown) : r.config;
  const parsed = parseSiteEnergy(raw);
  // stored configs were validated on the way in; a schema change that rejects an old one must say so, not crash later
  if (!parsed.ok) throw new Error(`site_energy of ${r.site_id} (version ${r.version}) no longer validates: ${parsed.errors.join('; ')}`);
  return {
    siteId: r.site_id,
    config: parsed.value,
    version: r.version,
    updatedAtMs: new Date(r.updated_at).getTime(),
    updatedBy: r.updated_by,
  };
}

export async function getSiteEnergy(db: Queryable, siteId: string): Promise<StoredSiteEnergy | undefined> {
  const { rows } = await db.query<Row>('select site_id, config, version, updated_at, updated_by from site_energy where site_id = $1', [
    siteId,
  ]);
  return rows[0] === undefined ? undefined : toStored(rows[0]);
}

/** Every configured site (the sites the planner plans for); a row that no longer validates is reported, not thrown. */
export async function listSiteEnergy(db: Queryable): Promise<{ sites: StoredSiteEnergy[]; invalid: { siteId: string; error: string }[] }> {
  const { rows } = await db.query<Row>('select site_id, config, version, updated_at, updated_by from site_energy order by site_id');
  const sites: StoredSiteEnergy[] = [];
  const invalid: { siteId: string; error: string }[] = [];
  for (const r of rows) {
    try {
      sites.push(toStored(r));
    } catch (err) {
      invalid.push({ siteId: r.site_id, error: (err as Error).message });
    }
  }
  return { sites, invalid };
}

function actorName(a: Actor): string {
  return a.name ?? a.id ?? a.type;
}

/**
 * Stores a validated configuration (insert or replace), bumps the version and audits before/after
 * (action `site.energy.configure`) in one transaction.
 */
export async function putSiteEnergy(
  db: Database,
  siteId: string,
  config: SiteEnergy,
  ctx: { actor: Actor; requestId?: string; ip?: string },
): Promise<StoredSiteEnergy> {
  return db.transaction(async (tx) => {
    const prior = await tx.query<{ config: unknown; version: number }>(
      'select config, version from site_energy where site_id = $1 for update',
      [siteId],
    );
    const { rows } = await tx.query<Row>(
      `insert into site_energy (site_id, config, version, updated_at, updated_by) values ($1, $2, 1, now(), $3)
       on conflict (site_id) do update set config = excluded.config, version = site_energy.version + 1,
         updated_at = now(), updated_by = excluded.updated_by
       returning site_id, config, version, updated_at, updated_by`,
      [siteId, JSON.stringify(config), actorName(ctx.actor)],
    );
    const stored = toStored(rows[0]!);
    await recordAudit(tx, {
      ...ctx,
      action: 'site.energy.configure',
      target: `site:${siteId}/energy`,
      siteId,
      before: prior.rows[0] === undefined ? null : { version: prior.rows[0].version, config: prior.rows[0].config },
      after: { version: stored.version, config },
    });
    return stored;
  });
}

/** Stores `config` only when the site has none yet (the demo site's default); true when stored. */
export async function ensureSiteEnergy(db: Database, siteId: string, config: SiteEnergy, actor: Actor): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query(
      `insert into site_energy (site_id, config, version, updated_at, updated_by) values ($1, $2, 1, now(), $3)
       on conflict (site_id) do nothing returning site_id`,
      [siteId, JSON.stringify(config), actorName(actor)],
    );
    if (rows.length === 0) return false;
    await recordAudit(tx, {
      actor,
      action: 'site.energy.configure',
      target: `site:${siteId}/energy`,
      siteId,
      before: null,
      after: { version: 1, config },
    });
    return true;
  });
}
