/** SQL for alert rules, alert instances and the delivery outbox (migrations/20261127091000_alerts.sql). */
import type { Queryable } from '../store/index.js';
import type { OpenAlert } from './engine.js';
import type { Condition } from './evaluate.js';
import { alertRuleSchema, defaultRules, type AlertRule, type AlertSeverity } from './rules.js';

export type AlertState = 'firing' | 'acknowledged' | 'resolved';
export const ALERT_STATES: readonly AlertState[] = ['firing', 'acknowledged', 'resolved'];

export interface AlertRecord {
  id: string;
  siteId: string;
  ruleId: string;
  ruleKind: string;
  subject: string;
  state: AlertState;
  severity: AlertSeverity;
  message: string;
  value: number | null;
  firedAt: string;
  lastSeenAt: string;
  /** evaluations after the first that found the condition still holding */
  repeatCount: number;
  notifyCount: number;
  lastNotifiedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
}

export interface RuleSet {
  rules: AlertRule[];
  /** true while the site uses the built-in defaults (nobody saved a rule set yet) */
  builtIn: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

const iso = (v: unknown): string => new Date(v as string).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

const COLUMNS = `id, site_id, rule_id, rule_kind, subject, state, severity, message, value, fired_at, last_seen_at, repeat_count,
  notify_count, last_notified_at, acknowledged_at, acknowledged_by, resolved_at`;

function toRecord(r: Record<string, unknown>): AlertRecord {
  return {
    id: r.id as string,
    siteId: r.site_id as string,
    ruleId: r.rule_id as string,
    ruleKind: r.rule_kind as string,
    subject: r.subject as string,
    state: r.state as AlertState,
    severity: r.severity as AlertSeverity,
    message: r.message as string,
    value: r.value === null || r.value === undefined ? null : Number(r.value),
    firedAt: iso(r.fired_at),
    lastSeenAt: iso(r.last_seen_at),
    repeatCount: Number(r.repeat_count),
    notifyCount: Number(r.notify_count),
    lastNotifiedAt: isoOrNull(r.last_notified_at),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
    resolvedAt: isoOrNull(r.resolved_at),
  };
}

// ---- rules -------------------------------------------------------------------------------------

export async function getRuleSet(db: Queryable, siteId: string): Promise<RuleSet> {
  const set = await db.query<{ updated_at: string; updated_by: string }>(
    'select updated_at, updated_by from alert_rule_sets where site_id = $1',
    [siteId],
  );
  const head = set.rows[0];
  if (head === undefined) return { rules: defaultRules(), builtIn: true, updatedAt: null, updatedBy: null };
  const { rows } = await db.query<{ id: string; kind: string; name: string; enabled: boolean; severity: string; params: unknown }>(
    'select id, kind, name, enabled, severity, params from alert_rules where site_id = $1 order by position',
    [siteId],
  );
  const rules = rows.map((r) => {
    const params = (typeof r.params === 'string' ? JSON.parse(r.params) : r.params) as Record<string, unknown>;
    return alertRuleSchema.parse({ ...params, id: r.id, kind: r.kind, name: r.name, enabled: r.enabled, severity: r.severity });
  });
  return { rules, builtIn: false, updatedAt: iso(head.updated_at), updatedBy: head.updated_by };
}

/** Replaces the site's rule set (call inside a transaction). */
export async function saveRuleSet(db: Queryable, siteId: string, rules: readonly AlertRule[], by: string): Promise<void> {
  await db.query(
    `insert into alert_rule_sets (site_id, updated_by) values ($1, $2)
     on conflict (site_id) do update set updated_at = now(), updated_by = excluded.updated_by`,
    [siteId, by],
  );
  await db.query('delete from alert_rules where site_id = $1', [siteId]);
  let position = 0;
  for (const rule of rules) {
    const { id, kind, name, enabled, severity, ...params } = rule;
    await db.query(
      'insert into alert_rules (site_id, id, kind, name, enabled, severity, params, position) values ($1, $2, $3, $4, $5, $6, $7, $8)',
      [siteId, id, kind, name, enabled, severity, JSON.stringify(params), position++],
    );
  }
}

// ---- alerts ------------------------------------------------------------------------------------

export async function openAlerts(db: Queryable, siteId: string): Promise<OpenAlert[]> {
  const { rows } = await db.query<{
    id: string;
    rule_id: string;
    subject: string;
    state: 'firing' | 'acknowledged';
    last_notified_at: unknown;
  }>(`select id, rule_id, subject, state, last_notified_at from alerts where site_id = $1 and state <> 'resolved'`, [siteId]);
  return rows.map((r) => ({
    id: r.id,
    ruleId: r.rule_id,
    subject: r.subject,
    state: r.state,
    lastNotifiedAtMs: r.last_notified_at === null || r.last_notified_at === undefined ? null : Date.parse(iso(r.last_notified_at)),
  }));
}

/** A new firing alert; undefined when an open one for the rule and subject exists already (a race with another evaluation). */
export async function insertFiring(
  db: Queryable,
  siteId: string,
  ruleKind: string,
  c: Condition,
  nowMs: number,
  notified: boolean,
): Promise<AlertRecord | undefined> {
  const now = new Date(nowMs).toISOString();
  const { rows } = await db.query(
    `insert into alerts (site_id, rule_id, rule_kind, subject, state, severity, message, value, fired_at, last_seen_at,
                         last_notified_at, notify_count)
     values ($1, $2, $3, $4, 'firing', $5, $6, $7, $8, $8, $9, $10)
     on conflict (site_id, rule_id, subject) where state <> 'resolved' do nothing
     returning ${COLUMNS}`,
    [siteId, c.ruleId, ruleKind, c.subject, c.severity, c.message, c.value ?? null, now, notified ? now : null, notified ? 1 : 0],
  );
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

export async function recordRepeat(
  db: Queryable,
  id: string,
  c: Condition,
  nowMs: number,
  notified: boolean,
): Promise<AlertRecord | undefined> {
  const now = new Date(nowMs).toISOString();
  const { rows } = await db.query(
    `update alerts set repeat_count = repeat_count + 1, last_seen_at = $2, message = $3, value = $4,
            severity = case when array_position(array['info','warning','critical'], $5::text)
                                 > array_position(array['info','warning','critical'], severity) then $5 else severity end,
            last_notified_at = case when $6 then $2::timestamptz else last_notified_at end,
            notify_count = notify_count + case when $6 then 1 else 0 end
      where id = $1 and state <> 'resolved' returning ${COLUMNS}`,
    [id, now, c.message, c.value ?? null, c.severity, notified],
  );
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

export async function resolveAlert(db: Queryable, id: string, nowMs: number): Promise<AlertRecord | undefined> {
  const { rows } = await db.query(
    `update alerts set state = 'resolved', resolved_at = $2 where id = $1 and state <> 'resolved' returning ${COLUMNS}`,
    [id, new Date(nowMs).toISOString()],
  );
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

/**
 * Acknowledges an alert: a firing one becomes acknowledged (no more re-notifications); the first
 * acknowledgement is kept. A resolved alert keeps its state but records who saw it. Undefined when
 * the site has no such alert; `changed` is false when it was acknowledged before.
 */
export async function acknowledgeAlert(
  db: Queryable,
  siteId: string,
  id: string,
  by: string,
): Promise<{ alert: AlertRecord; changed: boolean } | undefined> {
  const { rows } = await db.query(
    `with before as (select acknowledged_at from alerts where site_id = $1 and id = $2)
     update alerts set state = case when state = 'firing' then 'acknowledged' else state end,
            acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, $3)
      where site_id = $1 and id = $2
      returning ${COLUMNS}, (select acknowledged_at from before) is null as changed`,
    [siteId, id, by],
  );
  if (rows[0] === undefined) return undefined;
  return { alert: toRecord(rows[0]), changed: rows[0].changed === true };
}

export interface AlertQuery {
  siteId: string;
  states?: readonly AlertState[];
  ruleId?: string;
  /** alerts still open at, or resolved after, this instant (UTC ms) */
  fromMs?: number;
  /** alerts fired before this instant */
  toMs?: number;
  limit?: number;
}

/** Newest first. */
export async function listAlerts(db: Queryable, q: AlertQuery): Promise<AlertRecord[]> {
  const where = ['site_id = $1'];
  const params: unknown[] = [q.siteId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (q.states !== undefined && q.states.length > 0) add('state = any(?)', [...q.states]);
  if (q.ruleId !== undefined) add('rule_id = ?', q.ruleId);
  if (q.fromMs !== undefined) add('(resolved_at is null or resolved_at >= ?)', new Date(q.fromMs).toISOString());
  if (q.toMs !== undefined) add('fired_at < ?', new Date(q.toMs).toISOString());
  params.push(q.limit ?? 100);
  const { rows } = await db.query(
    `select ${COLUMNS} from alerts where ${where.join(' and ')} order by fired_at desc, id limit $${params.length}`,
    params,
  );
  return rows.map(toRecord);
}

export async function getAlert(db: Queryable, siteId: string, id: string): Promise<AlertRecord | undefined> {
  const { rows } = await db.query(`select ${COLUMNS} from alerts where site_id = $1 and id = $2`, [siteId, id]);
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

/** Open alerts per site and severity, for the luna_alerts_open gauge. */
export async function countOpen(db: Queryable): Promise<Array<{ siteId: string; severity: string; state: string; n: number }>> {
  const { rows } = await db.query<{ site_id: string; severity: string; state: string; n: string | number }>(
    `select site_id, severity, state, count(*) as n from alerts where state <> 'resolved' group by site_id, severity, state`,
  );
  return rows.map((r) => ({ siteId: r.site_id, severity: r.severity, state: r.state, n: Number(r.n) }));
}

// ---- delivery outbox ---------------------------------------------------------------------------

export type DeliveryChannel = 'webhook' | 'email';

export interface DeliveryRecord {
  id: number;
  alertId: string;
  channel: DeliveryChannel;
  reason: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface DueDelivery {
  id: number;
  alertId: string;
  channel: DeliveryChannel;
  attempts: number;
  payload: unknown;
}

function toDelivery(r: Record<string, unknown>): DeliveryRecord {
  return {
    id: Number(r.id),
    alertId: r.alert_id as string,
    channel: r.channel as DeliveryChannel,
    reason: r.reason as string,
    status: r.status as DeliveryRecord['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: iso(r.next_attempt_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: iso(r.created_at),
    deliveredAt: isoOrNull(r.delivered_at),
  };
}

export async function enqueueDelivery(
  db: Queryable,
  alertId: string,
  channel: DeliveryChannel,
  reason: string,
  payload: unknown,
  nowMs: number,
): Promise<void> {
  await db.query(
    `insert into alert_deliveries (alert_id, channel, reason, payload, status, next_attempt_at) values ($1, $2, $3, $4, 'pending', $5)`,
    [alertId, channel, reason, JSON.stringify(payload), new Date(nowMs).toISOString()],
  );
}

export async function dueDeliveries(db: Queryable, nowMs: number, limit = 50): Promise<DueDelivery[]> {
  const { rows } = await db.query<{ id: string | number; alert_id: string; channel: DeliveryChannel; attempts: number; payload: unknown }>(
    `select id, alert_id, channel, attempts, payload from alert_deliveries
      where status = 'pending' and next_attempt_at <= $1 order by next_attempt_at, id limit $2`,
    [new Date(nowMs).toISOString(), limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    alertId: r.alert_id,
    channel: r.channel,
    attempts: Number(r.attempts),
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
  }));
}

/** Records one attempt: delivered, retried at nextAttemptMs, or failed for good (nextAttemptMs undefined). */
export async function recordAttempt(
  db: Queryable,
  id: number,
  outcome: { ok: true; nowMs: number } | { ok: false; error: string; nowMs: number; nextAttemptMs?: number },
): Promise<void> {
  if (outcome.ok)
    await db.query(
      `update alert_deliveries set status = 'delivered', attempts = attempts + 1, delivered_at = $2, last_error = null where id = $1`,
      [id, new Date(outcome.nowMs).toISOString()],
    );
  else
    await db.query(
      `update alert_deliveries set attempts = attempts + 1, last_error = $2,
              status = case when $3::timestamptz is null then 'failed' else 'pending' end,
              next_attempt_at = coalesce($3::timestamptz, next_attempt_at)
        where id = $1`,
      [id, outcome.error.slice(0, 2000), outcome.nextAttemptMs === undefined ? null : new Date(outcome.nextAttemptMs).toISOString()],
    );
}

export async function listDeliveries(db: Queryable, alertIds: readonly string[]): Promise<DeliveryRecord[]> {
  if (alertIds.length === 0) return [];
  const { rows } = await db.query(
    `select id, alert_id, channel, reason, status, attempts, next_attempt_at, last_error, created_at, delivered_at
       from alert_deliveries where alert_id = any($1) order by id`,
    [[...alertIds]],
  );
  return rows.map(toDelivery);
}
