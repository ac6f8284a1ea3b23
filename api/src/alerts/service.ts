/**
 * The alert service (adapter around the pure evaluate/reconcile core): evaluates every site's rules
 * on a timer and soon after bus messages (events, device states, readings), stores alert
 * transitions, publishes them on the live bus (dashboard) and queues webhook/e-mail deliveries in
 * the outbox, which a second timer works off with retries and backoff. A failed delivery never
 * loses the alert: the alert is stored first, the delivery is retried and every attempt recorded.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EventBus } from '../bus/index.js';
import { LIVE_TOPICS, type LiveAlert } from '../live/topics.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import type { AlertPayload, EmailSender } from './delivery/email.js';
import { sendWebhook, type WebhookTarget } from './delivery/webhook.js';
import { reconcile, retryDelayMs } from './engine.js';
import type { Condition, DeviceInput } from './evaluate.js';
import { ruleConditions, siteTimeZone } from './inputs.js';
import type { AlertRule } from './rules.js';
import {
  countOpen,
  dueDeliveries,
  enqueueDelivery,
  getRuleSet,
  insertFiring,
  openAlerts,
  recordAttempt,
  recordRepeat,
  resolveAlert,
  type AlertRecord,
  type DeliveryChannel,
} from './store.js';

export interface AlertServiceOptions {
  db: Database;
  bus: EventBus;
  log: Logger;
  registry?: Registry;
  now?: () => number;
  /** device health of a site (connection state and since when) */
  devices?: (siteId: string) => DeviceInput[];
  /** the plan's billing-period peak target (W); undefined → the period's peak so far */
  peakTargetW?: (siteId: string, nowMs: number) => Promise<number | undefined>;
  webhook?: WebhookTarget | undefined;
  email?: EmailSender | undefined;
  /** rule evaluation period, ms (0 = no timer: tests call evaluateSite) */
  intervalMs: number;
  /** delivery outbox period, ms (0 = no timer) */
  deliveryIntervalMs?: number;
  /** attempts per delivery before it is marked failed */
  maxAttempts?: number;
  /** base of the doubling retry delay, ms */
  retryBaseMs?: number;
}

export interface EvaluationResult {
  siteId: string;
  fired: AlertRecord[];
  repeated: number;
  resolved: AlertRecord[];
  /** rules whose inputs could not be read (their open alerts stay as they are) */
  failedRules: string[];
}

export class AlertService {
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: Array<() => void> = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<EvaluationResult>>();
  private delivering: Promise<number> | undefined;
  private stopped = false;
  private triggers = true;
  private readonly metrics:
    | {
        fired: Counter<'severity' | 'kind'>;
        deliveries: Counter<'channel' | 'outcome'>;
        evalSeconds: Histogram;
      }
    | undefined;

  constructor(private readonly o: AlertServiceOptions) {
    this.now = o.now ?? Date.now;
    if (o.registry) {
      const db = o.db;
      this.metrics = {
        fired: new Counter({
          name: 'luna_alerts_fired_total',
          help: 'Alerts fired, by severity and rule kind',
          labelNames: ['severity', 'kind'],
          registers: [o.registry],
        }),
        deliveries: new Counter({
          name: 'luna_alert_deliveries_total',
          help: 'Alert delivery attempts by channel (webhook, email) and outcome (delivered, retry, failed)',
          labelNames: ['channel', 'outcome'],
          registers: [o.registry],
        }),
        evalSeconds: new Histogram({
          name: 'luna_alert_evaluation_seconds',
          help: 'Duration of one evaluation of a site’s alert rules, seconds',
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers: [o.registry],
        }),
      };
      new Gauge({
        name: 'luna_alerts_open',
        help: 'Open alerts (firing or acknowledged) by site, severity and state',
        labelNames: ['site', 'severity', 'state'],
        registers: [o.registry],
        async collect() {
          this.reset();
          try {
            for (const r of await countOpen(db)) this.set({ site: r.siteId, severity: r.severity, state: r.state }, r.n);
          } catch {
            /* the database is down: /ready says so; the gauge stays empty */
          }
        },
      });
    }
  }

  start(): void {
    const { intervalMs, deliveryIntervalMs = 2_000 } = this.o;
    if (intervalMs > 0) this.timers.push(setInterval(() => void this.evaluateAll(), intervalMs));
    if (deliveryIntervalMs > 0) this.timers.push(setInterval(() => void this.processDeliveries(), deliveryIntervalMs));
    for (const t of this.timers) t.unref();
    const siteOf = (m: unknown): string | undefined =>
      typeof m === 'object' && m !== null && typeof (m as { siteId?: unknown }).siteId === 'string'
        ? (m as { siteId: string }).siteId
        : undefined;
    const on = (topic: string, delayMs: number) => {
      try {
        this.unsubscribe.push(
          this.o.bus.subscribe(topic, (m) => {
            const siteId = siteOf(m);
            if (siteId !== undefined) this.schedule(siteId, delayMs);
          }),
        );
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message, topic }, 'alerts: cannot subscribe to the event bus; evaluating on the timer only');
      }
    };
    on(LIVE_TOPICS.event, 500);
    on(LIVE_TOPICS.device, 500);
    // readings arrive every few seconds per site: evaluate at most every 5 s on them
    on(LIVE_TOPICS.readings, 5_000);
  }

  /** Evaluates a site soon (debounced: one pending evaluation per site). */
  schedule(siteId: string, delayMs: number): void {
    if (this.stopped || !this.triggers || this.pending.has(siteId)) return;
    const t = setTimeout(() => {
      this.pending.delete(siteId);
      void this.evaluateSite(siteId).catch((err: Error) => this.o.log.warn({ err: err.message, siteId }, 'alerts: evaluation failed'));
    }, delayMs);
    t.unref();
    this.pending.set(siteId, t);
  }

  async evaluateAll(): Promise<EvaluationResult[]> {
    if (this.stopped) return [];
    try {
      const { rows } = await this.o.db.query<{ id: string }>('select id from sites order by id');
      const out: EvaluationResult[] = [];
      for (const r of rows) {
        if (this.stopped) break;
        try {
          out.push(await this.evaluateSite(r.id));
        } catch (err) {
          // one site's failure does not stop the others
          this.o.log.warn({ err: (err as Error).message, siteId: r.id }, 'alerts: evaluation of a site failed; retried on the next tick');
        }
      }
      return out;
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'alerts: evaluation round failed; retried on the next tick');
      return [];
    }
  }

  /** One evaluation of a site's rules; evaluations of the same site never overlap. */
  evaluateSite(siteId: string): Promise<EvaluationResult> {
    const previous = this.running.get(siteId) ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(() => this.evaluateOnce(siteId));
    this.running.set(siteId, next);
    void next
      .finally(() => {
        if (this.running.get(siteId) === next) this.running.delete(siteId);
      })
      .catch(() => undefined);
    return next;
  }

  /** Conditions that hold now for the given rules (also the dry run of a rule set before it is saved). */
  async conditions(
    siteId: string,
    rules: readonly AlertRule[],
    nowMs: number,
  ): Promise<{ evaluated: Map<string, Condition[]>; failed: string[] }> {
    const db = this.o.db;
    const evaluated = new Map<string, Condition[]>();
    const failed: string[] = [];
    let tz: Promise<string> | undefined;
    const timeZone = () => (tz ??= siteTimeZone(db, siteId));
    const inputs = {
      ...(this.o.devices ? { devices: this.o.devices } : {}),
      ...(this.o.peakTargetW ? { peakTargetW: this.o.peakTargetW } : {}),
    };
    for (const rule of rules.filter((r) => r.enabled)) {
      try {
        evaluated.set(rule.id, await ruleConditions(db, siteId, rule, nowMs, { ...inputs, timeZone }));
      } catch (err) {
        failed.push(rule.id);
        this.o.log.warn({ err: (err as Error).message, siteId, rule: rule.id }, `alerts: inputs of rule ${rule.id} could not be read`);
      }
    }
    return { evaluated, failed };
  }

  private async evaluateOnce(siteId: string): Promise<EvaluationResult> {
    const started = performance.now();
    const nowMs = this.now();
    const db = this.o.db;
    const { rules } = await getRuleSet(db, siteId);
    const { evaluated, failed } = await this.conditions(siteId, rules, nowMs);
    const open = await openAlerts(db, siteId);
    const kinds = new Map(rules.map((r) => [r.id, r]));
    const result: EvaluationResult = { siteId, fired: [], repeated: 0, resolved: [], failedRules: failed };
    for (const t of reconcile(open, rules, evaluated, nowMs)) {
      if (t.type === 'fire') {
        const rule = kinds.get(t.condition.ruleId)!;
        const notify = this.channelsOf(rule);
        const alert = await db.transaction(async (tx) => {
          const a = await insertFiring(tx, siteId, rule.kind, t.condition, nowMs, notify.length > 0);
          if (a) for (const ch of notify) await enqueueDelivery(tx, a.id, ch, 'firing', payload('firing', a), nowMs);
          return a;
        });
        if (alert) {
          result.fired.push(alert);
          this.metrics?.fired.inc({ severity: alert.severity, kind: rule.kind });
          await this.publish(alert);
        }
      } else if (t.type === 'repeat') {
        const rule = kinds.get(t.condition.ruleId)!;
        const notify = t.renotify ? this.channelsOf(rule) : [];
        const alert = await db.transaction(async (tx) => {
          const a = await recordRepeat(tx, t.alertId, t.condition, nowMs, notify.length > 0);
          if (a) for (const ch of notify) await enqueueDelivery(tx, a.id, ch, 'renotify', payload('renotify', a), nowMs);
          return a;
        });
        result.repeated++;
        if (alert && t.renotify) await this.publish(alert);
      } else {
        const alert = await db.transaction(async (tx) => {
          const a = await resolveAlert(tx, t.alertId, nowMs);
          const rule = a ? kinds.get(a.ruleId) : undefined;
          // a resolution is worth a message only to channels that heard about the alert
          if (a && rule && a.notifyCount > 0)
            for (const ch of this.channelsOf(rule)) await enqueueDelivery(tx, a.id, ch, 'resolved', payload('resolved', a), nowMs);
          return a;
        });
        if (alert) {
          result.resolved.push(alert);
          await this.publish(alert);
        }
      }
    }
    this.metrics?.evalSeconds.observe((performance.now() - started) / 1000);
    if (result.fired.length > 0 || result.resolved.length > 0)
      this.o.log.info(
        { siteId, fired: result.fired.map((a) => a.ruleId), resolved: result.resolved.map((a) => a.ruleId) },
        `alerts: ${result.fired.length} fired, ${result.resolved.length} resolved on site ${siteId}`,
      );
    return result;
  }

  /** Called by the ack route after the acknowledgement is stored: dashboard and channels that heard of the alert learn of it. */
  async acknowledged(alert: AlertRecord, rule: AlertRule | undefined): Promise<void> {
    await this.publish(alert);
    if (rule && alert.notifyCount > 0) {
      const nowMs = this.now();
      for (const ch of this.channelsOf(rule))
        await enqueueDelivery(this.o.db, alert.id, ch, 'acknowledged', payload('acknowledged', alert), nowMs);
    }
  }

  private channelsOf(rule: AlertRule): DeliveryChannel[] {
    const out: DeliveryChannel[] = [];
    if (rule.channels.includes('webhook') && this.o.webhook) out.push('webhook');
    if (rule.channels.includes('email') && this.o.email) out.push('email');
    return out;
  }

  private async publish(a: AlertRecord): Promise<void> {
    const message: LiveAlert = {
      siteId: a.siteId,
      alert: {
        id: a.id,
        ruleId: a.ruleId,
        state: a.state,
        severity: a.severity,
        message: a.message,
        atMs: Date.parse(a.resolvedAt ?? a.acknowledgedAt ?? a.lastSeenAt),
        subject: a.subject,
        ruleKind: a.ruleKind,
        repeatCount: a.repeatCount,
        firedAt: a.firedAt,
        acknowledgedBy: a.acknowledgedBy,
      },
    };
    try {
      await this.o.bus.publish(LIVE_TOPICS.alert, message);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'alerts: could not publish on the live bus; the alert is stored');
    }
  }

  /** Works off due deliveries once; returns how many were attempted. Runs never overlap. */
  processDeliveries(): Promise<number> {
    this.delivering ??= this.deliverOnce().finally(() => {
      this.delivering = undefined;
    });
    return this.delivering;
  }

  private async deliverOnce(): Promise<number> {
    const db = this.o.db;
    const maxAttempts = this.o.maxAttempts ?? 8;
    let due;
    try {
      due = await dueDeliveries(db, this.now());
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'alerts: cannot read the delivery outbox');
      return 0;
    }
    for (const d of due) {
      if (this.stopped) break;
      try {
        if (d.channel === 'webhook') {
          if (!this.o.webhook) throw new Error('no webhook configured (LUNA_ALERT_WEBHOOK_URL)');
          await sendWebhook(this.o.webhook, d.payload, this.now());
        } else {
          if (!this.o.email) throw new Error('no SMTP server configured (LUNA_SMTP_URL)');
          await this.o.email.send(d.payload as AlertPayload);
        }
        await recordAttempt(db, d.id, { ok: true, nowMs: this.now() });
        this.metrics?.deliveries.inc({ channel: d.channel, outcome: 'delivered' });
      } catch (err) {
        const attempt = d.attempts + 1;
        const error = (err as Error).message;
        const last = attempt >= maxAttempts;
        const nowMs = this.now();
        await recordAttempt(db, d.id, {
          ok: false,
          error,
          nowMs,
          ...(last ? {} : { nextAttemptMs: nowMs + retryDelayMs(attempt, this.o.retryBaseMs) }),
        }).catch((e: Error) => this.o.log.warn({ err: e.message }, 'alerts: cannot record a delivery attempt'));
        this.metrics?.deliveries.inc({ channel: d.channel, outcome: last ? 'failed' : 'retry' });
        this.o.log.warn(
          { delivery: d.id, alert: d.alertId, channel: d.channel, attempt, err: error },
          last
            ? `alerts: ${d.channel} delivery failed for good after ${attempt} attempts`
            : `alerts: ${d.channel} delivery failed, retrying`,
        );
      }
    }
    return due.length;
  }

  /** No more evaluations by timer or bus message (explicit calls still work: tests step them). */
  stopTriggers(): void {
    this.triggers = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTriggers();
    await Promise.allSettled([...this.running.values(), this.delivering]);
    this.o.email?.close();
  }
}

function payload(reason: AlertPayload['reason'], alert: AlertRecord): AlertPayload {
  return { type: 'luna.alert', reason, siteId: alert.siteId, alert };
}
