/**
 * The audit log: who did what, when, to what, with before/after. Append-only — the database
 * refuses UPDATE, DELETE and TRUNCATE on audit_log (see the access migration), and the API has no
 * route that changes it.
 */
import type { Queryable } from '../store/index.js';

export interface Actor {
  type: 'user' | 'api_key' | 'system' | 'anonymous';
  id?: string;
  name?: string;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  target?: string;
  siteId?: string;
  before?: unknown;
  after?: unknown;
  requestId?: string;
  ip?: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  actorType: Actor['type'];
  actorId: string | null;
  actorName: string | null;
  action: string;
  target: string | null;
  siteId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
}

export const SYSTEM: Actor = { type: 'system', name: 'luna' };

export async function recordAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (actor_type, actor_id, actor_name, action, target, site_id, before, after, request_id, ip)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.actor.type,
      e.actor.id ?? null,
      e.actor.name ?? null,
      e.action,
      e.target ?? null,
      e.siteId ?? null,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
      e.requestId ?? null,
      e.ip ?? null,
    ],
  );
}

export interface AuditQuery {
  from?: string;
  to?: string;
  action?: string;
  actor?: string;
  siteId?: string;
  limit: number;
  beforeId?: number;
}

/** Newest first; `beforeId` pages backwards. */
export async function queryAudit(db: Queryable, q: AuditQuery): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.from) add('at >= ?', q.from);
  if (q.to) add('at < ?', q.to);
  if (q.action) add('action like ?', q.action.endsWith('*') ? `${q.action.slice(0, -1)}%` : q.action);
  if (q.actor) add('actor_name = ?', q.actor);
  if (q.siteId) add('site_id = ?', q.siteId);
  if (q.beforeId) add('id < ?', q.beforeId);
  params.push(q.limit);
  const { rows } = await db.query<Record<string, unknown>>(
    `select id, at, actor_type, actor_id, actor_name, action, target, site_id, before, after, request_id, ip
       from audit_log ${where.length ? `where ${where.join(' and ')}` : ''}
      order by id desc limit $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at as string).toISOString(),
    actorType: r.actor_type as Actor['type'],
    actorId: (r.actor_id as string | null) ?? null,
    actorName: (r.actor_name as string | null) ?? null,
    action: r.action as string,
    target: (r.target as string | null) ?? null,
    siteId: (r.site_id as string | null) ?? null,
    before: r.before ?? null,
    after: r.after ?? null,
    requestId: (r.request_id as string | null) ?? null,
    ip: (r.ip as string | null) ?? null,
  }));
}
