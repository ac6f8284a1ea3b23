/**
 * Rule set storage (adapter): table `rule_sets`, one row per version and site. Every change writes a
 * new version (old ones are kept); the highest version is the site's active set. The control loop
 * asks `RuleSetStore.active(siteId)` every tick: answers come from an in-process cache that a PUT
 * through this store invalidates (another process's change is seen after `ttlMs`).
 */
import { recordAudit, type Actor } from '../audit/index.js';
import type { Database, Queryable } from '../store/index.js';
import type { SiteEnergy } from '../site-energy/model.js';
import { gridFriendly, selfConsumptionRules } from './builtin.js';
import { RuleSetError, RuleSetSchema, type RuleSet } from './schema.js';

export const BUILTIN_NAMES = ['grid-friendly', 'self-consumption'] as const;
export type BuiltinName = (typeof BUILTIN_NAMES)[number];

export interface StoredRuleSet {
  siteId: string;
  version: number;
  /** the built-in set it was made from, or null for a custom set */
  builtin: BuiltinName | null;
  /** false: rules switched off for the site (the control loop applies none) */
  enabled: boolean;
  ruleSet: RuleSet;
  createdAtMs: number;
  createdBy: string | null;
}

/** What a PUT asks for: a built-in set (with parameters), a custom set, or rules off. */
export type RuleSetRequest =
  { builtin: BuiltinName; params?: { pvPeakW?: number; importCapW?: number } } | { ruleSet: unknown } | { enabled: false };

export interface RuleIssue {
  /** dotted path, e.g. rules.1.maxExportW */
  path: string;
  /** index of the rule the issue is in, when it is in one */
  ruleIndex?: number;
  ruleId?: string;
  /** the field of the rule (or of the set) */
  field?: string;
  message: string;
}

/** Makes zod issue paths readable: "rule 1 (feed-in-cap), field maxExportW: …". */
export function describeIssues(err: RuleSetError, input: unknown): RuleIssue[] {
  const rules = (input as { rules?: unknown } | null)?.rules;
  return err.issues.map((i) => {
    const parts = i.path.split('.');
    if (parts[0] === 'rules' && parts.length > 1 && /^\d+$/.test(parts[1]!)) {
      const ruleIndex = Number(parts[1]);
      const raw = Array.isArray(rules) ? (rules[ruleIndex] as { id?: unknown } | undefined) : undefined;
      const field = parts.slice(2).join('.') || undefined;
      return {
        path: i.path,
        ruleIndex,
        ...(typeof raw?.id === 'string' ? { ruleId: raw.id } : {}),
        ...(field ? { field } : {}),
        message: i.message,
      };
    }
    return { path: i.path, ...(i.path !== '(root)' ? { field: i.path } : {}), message: i.message };
  });
}

export function issueText(issues: RuleIssue[]): string {
  return issues
    .map((i) =>
      i.ruleIndex !== undefined
        ? `rule ${i.ruleIndex}${i.ruleId ? ` (${i.ruleId})` : ''}${i.field ? `, field ${i.field}` : ''}: ${i.message}`
        : `${i.field ?? 'rule set'}: ${i.message}`,
    )
    .join('; ');
}

/** A request that cannot become a rule set; `issues` say where and why. */
export class RuleRequestError extends Error {
  override readonly name = 'RuleRequestError';
  readonly retryable = false;
  constructor(readonly issues: RuleIssue[]) {
    super(issueText(issues));
  }
}

/**
 * Pure: turns a request into a validated rule set for a site. Built-in parameters not given come
 * from the site's energy configuration (PV peak = Σ PV ratings; import cap = peak target, else the
 * import limit). The version is set to `version`; the time zone defaults to the site's.
 */
export function resolveRuleSet(
  req: RuleSetRequest,
  site: { timeZone: string; energy?: SiteEnergy | undefined },
  version: number,
): { ruleSet: RuleSet; builtin: BuiltinName | null; enabled: boolean } {
  if ('enabled' in req) {
    return { ruleSet: { id: 'off', name: 'No rules', version, timeZone: site.timeZone, rules: [] }, builtin: null, enabled: false };
  }
  if ('builtin' in req) {
    if (req.builtin === 'self-consumption') {
      return { ruleSet: { ...selfConsumptionRules({ timeZone: site.timeZone }), version }, builtin: req.builtin, enabled: true };
    }
    if (req.builtin !== 'grid-friendly') {
      throw new RuleRequestError([
        { path: 'builtin', field: 'builtin', message: `unknown built-in "${String(req.builtin)}"; one of ${BUILTIN_NAMES.join(', ')}` },
      ]);
    }
    const e = site.energy;
    const pvPeakW = req.params?.pvPeakW ?? (e && e.pv.length > 0 ? e.pv.reduce((s, p) => s + p.ratedW, 0) : undefined);
    const importCapW = req.params?.importCapW ?? e?.peakTargetW ?? e?.grid.importLimitW;
    const missing: RuleIssue[] = [];
    if (pvPeakW === undefined)
      missing.push({ path: 'params.pvPeakW', field: 'params.pvPeakW', message: 'needed: the site has no PV in its energy configuration' });
    if (importCapW === undefined)
      missing.push({ path: 'params.importCapW', field: 'params.importCapW', message: 'needed: the site has no energy configuration' });
    for (const [k, v] of [
      ['pvPeakW', pvPeakW],
      ['importCapW', importCapW],
    ] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0))
        missing.push({ path: `params.${k}`, field: `params.${k}`, message: 'a number ≥ 0, W' });
    }
    if (missing.length) throw new RuleRequestError(missing);
    return {
      ruleSet: { ...gridFriendly({ pvPeakW: pvPeakW!, importCapW: importCapW!, timeZone: site.timeZone }), version },
      builtin: 'grid-friendly',
      enabled: true,
    };
  }
  const raw = req.ruleSet;
  const input =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? { timeZone: site.timeZone, ...(raw as Record<string, unknown>), version }
      : raw;
  const r = RuleSetSchema.safeParse(input);
  if (!r.success) {
    const err = new RuleSetError(r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })));
    throw new RuleRequestError(describeIssues(err, input).map((i) => ({ ...i, path: `ruleSet.${i.path}` })));
  }
  return { ruleSet: r.data, builtin: null, enabled: true };
}

interface Row {
  site_id: string;
  version: number;
  builtin: BuiltinName | null;
  enabled: boolean;
  rules: unknown;
  created_at: Date | string;
  created_by: string | null;
}

const COLUMNS = 'site_id, version, builtin, enabled, rules, created_at, created_by';

function toStored(r: Row): StoredRuleSet {
  const raw = typeof r.rules === 'string' ? (JSON.parse(r.rules) as unknown) : r.rules;
  const parsed = RuleSetSchema.safeParse(raw);
  // stored sets were validated on the way in; a schema change that rejects an old one must say so
  if (!parsed.success)
    throw new Error(
      `rule_sets of ${r.site_id} version ${r.version} no longer validates: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  return {
    siteId: r.site_id,
    version: r.version,
    builtin: r.builtin,
    enabled: r.enabled,
    ruleSet: parsed.data,
    createdAtMs: new Date(r.created_at).getTime(),
    createdBy: r.created_by,
  };
}

function actorName(a: Actor): string {
  return a.name ?? a.id ?? a.type;
}

export class RuleSetStore {
  private readonly cache = new Map<string, { atMs: number; value: RuleSet | null }>();

  constructor(
    private readonly db: Database,
    private readonly opts: { ttlMs?: number; now?: () => number } = {},
  ) {}

  /** The site's active rule set for the control loop; null when none is stored or rules are off. Cached. */
  async active(siteId: string): Promise<RuleSet | null> {
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(siteId);
    if (hit && now - hit.atMs < (this.opts.ttlMs ?? 60_000)) return hit.value;
    const cur = await this.current(siteId);
    const value = cur && cur.enabled ? cur.ruleSet : null;
    this.cache.set(siteId, { atMs: now, value });
    return value;
  }

  invalidate(siteId: string): void {
    this.cache.delete(siteId);
  }

  /** The newest stored version (also when it switched the rules off), or undefined. */
  async current(siteId: string, db: Queryable = this.db): Promise<StoredRuleSet | undefined> {
    const { rows } = await db.query<Row>(`select ${COLUMNS} from rule_sets where site_id = $1 order by version desc limit 1`, [siteId]);
    return rows[0] ? toStored(rows[0]) : undefined;
  }

  /** Every version, newest first. */
  async versions(siteId: string, limit = 100): Promise<StoredRuleSet[]> {
    const { rows } = await this.db.query<Row>(`select ${COLUMNS} from rule_sets where site_id = $1 order by version desc limit $2`, [
      siteId,
      limit,
    ]);
    return rows.map(toStored);
  }

  /**
   * Resolves the request, writes it as the next version and audits before/after (action
   * `rules.configure`) in one transaction; invalidates the cache. Throws RuleRequestError on bad input.
   */
  async put(
    siteId: string,
    req: RuleSetRequest,
    site: { timeZone: string; energy?: SiteEnergy | undefined },
    ctx: { actor: Actor; requestId?: string; ip?: string },
  ): Promise<StoredRuleSet> {
    // validate before the transaction so bad input never takes a lock
    resolveRuleSet(req, site, 1);
    const stored = await this.db.transaction(async (tx) => {
      // lock the site row: two concurrent PUTs get consecutive versions
      await tx.query('select id from sites where id = $1 for update', [siteId]);
      const prior = await this.current(siteId, tx);
      const version = (prior?.version ?? 0) + 1;
      const r = resolveRuleSet(req, site, version);
      const { rows } = await tx.query<Row>(
        `insert into rule_sets (site_id, version, builtin, enabled, rules, created_at, created_by) values ($1, $2, $3, $4, $5, now(), $6)
         returning ${COLUMNS}`,
        [siteId, version, r.builtin, r.enabled, JSON.stringify(r.ruleSet), actorName(ctx.actor)],
      );
      const s = toStored(rows[0]!);
      await recordAudit(tx, {
        ...ctx,
        action: 'rules.configure',
        target: `site:${siteId}/rules`,
        siteId,
        before: prior ? { version: prior.version, builtin: prior.builtin, enabled: prior.enabled, ruleSet: prior.ruleSet } : null,
        after: { version: s.version, builtin: s.builtin, enabled: s.enabled, ruleSet: s.ruleSet },
      });
      return s;
    });
    this.invalidate(siteId);
    return stored;
  }
}
