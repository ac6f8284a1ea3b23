/** Alert rules (configure), alerts (read, history) and acknowledgement (operate). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { parseRuleSet } from './rules.js';
import type { AlertService } from './service.js';
import { acknowledgeAlert, ALERT_STATES, getRuleSet, listAlerts, listDeliveries, saveRuleSet } from './store.js';

const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
const State = Type.Union(ALERT_STATES.map((s) => Type.Literal(s)));
const Rule = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('threshold'), Type.Literal('anomaly'), Type.Literal('device-offline'), Type.Literal('peak-at-risk')]),
    name: Type.String(),
    enabled: Type.Boolean(),
    severity: Severity,
    channels: Type.Array(Type.String()),
    renotifyS: Type.Integer(),
  },
  { additionalProperties: true, description: 'an alert rule; the kind-specific fields are described in docs/alerts.md' },
);
const RuleSetView = Type.Object({
  rules: Type.Array(Rule),
  builtIn: Type.Boolean({ description: 'true while the site uses the built-in default rules' }),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const ConditionView = Type.Object({
  ruleId: Type.String(),
  subject: Type.String(),
  severity: Severity,
  message: Type.String(),
  value: Type.Optional(Type.Number()),
});
const DeliveryView = Type.Object({
  id: Type.Integer(),
  channel: Type.String(),
  reason: Type.String(),
  status: Type.String({ description: 'pending, delivered or failed' }),
  attempts: Type.Integer(),
  nextAttemptAt: Type.String({ format: 'date-time' }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const AlertView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  siteId: Type.String(),
  ruleId: Type.String(),
  ruleKind: Type.String(),
  subject: Type.String({ description: 'what the alert is about: series:<key>, device:<id>, event:<id>' }),
  state: State,
  severity: Severity,
  message: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  firedAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  repeatCount: Type.Integer({ description: 'evaluations after the first that found the condition still holding' }),
  notifyCount: Type.Integer(),
  lastNotifiedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  acknowledgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deliveries: Type.Array(DeliveryView, { description: 'webhook and e-mail notifications of this alert with their outcome' }),
});
const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const AlertParams = Type.Object({ siteId: Type.String({ maxLength: 63 }), alertId: Type.String({ format: 'uuid' }) }, strict);
const PutQuery = Type.Object(
  { dryRun: Type.Boolean({ default: false, description: 'validate and evaluate the rules now without saving them' }) },
  strict,
);
const PutBody = Type.Object(
  { rules: Type.Array(Type.Unknown(), { maxItems: 200, description: 'the complete rule set (replaces the stored one)' }) },
  strict,
);
const ListQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ description: 'comma-separated states: firing,acknowledged,resolved; open = firing,acknowledged' })),
    rule: Type.Optional(Type.String({ maxLength: 63 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'alerts open at or resolved after this instant' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'alerts fired before this instant' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  strict,
);

function parseStates(raw: string | undefined): (typeof ALERT_STATES)[number][] | undefined {
  if (raw === undefined) return undefined;
  const out = new Set<(typeof ALERT_STATES)[number]>();
  for (const s of raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (s === 'open') {
      out.add('firing');
      out.add('acknowledged');
    } else if ((ALERT_STATES as readonly string[]).includes(s)) out.add(s as (typeof ALERT_STATES)[number]);
    else throw new HttpError(400, 'bad_request', `state: "${s}" is not one of firing, acknowledged, resolved, open`);
  }
  return [...out];
}

export function registerAlertRoutes(app: FastifyInstance, db: Database, service: AlertService): void {
  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/alert-rules',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alert rules of a site (the built-in defaults until a rule set is saved)',
        params: SiteParams,
        response: { 200: { ...RuleSetView, description: 'The rule set' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      return getRuleSet(db, req.params.siteId);
    },
  );

  app.put<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof PutQuery>; Body: Static<typeof PutBody> }>(
    '/sites/:siteId/alert-rules',
    {
      schema: {
        tags: ['alerts'],
        summary:
          'Replace the alert rules of a site (validated, every error names its rule and field; audited). ?dryRun=true evaluates without saving',
        params: SiteParams,
        querystring: PutQuery,
        body: PutBody,
        response: {
          200: {
            ...Type.Object({
              ...RuleSetView.properties,
              dryRun: Type.Boolean(),
              wouldFire: Type.Array(ConditionView, { description: 'conditions that hold now under these rules' }),
            }),
            description: 'The saved (or, in a dry run, the validated) rule set',
          },
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const siteId = req.params.siteId;
      await mustGetSite(db, siteId);
      const { rules, errors } = parseRuleSet(req.body.rules);
      if (errors.length > 0) throw new HttpError(400, 'invalid_alert_rules', `Invalid alert rules: rules${errors.join('; rules')}`);
      const { evaluated } = await service.conditions(siteId, rules, Date.now());
      const wouldFire = [...evaluated.values()].flat();
      if (req.query.dryRun) return { rules, builtIn: false, updatedAt: null, updatedBy: null, dryRun: true, wouldFire };
      const ctx = contextOf(req);
      const by = ctx.actor.name ?? ctx.actor.id ?? ctx.actor.type;
      await db.transaction(async (tx) => {
        const before = await getRuleSet(tx, siteId);
        await saveRuleSet(tx, siteId, rules, by);
        await recordAudit(tx, {
          ...ctx,
          action: 'alert-rules.update',
          target: `site:${siteId}`,
          siteId,
          before: before.rules,
          after: rules,
        });
      });
      service.schedule(siteId, 0);
      return { ...(await getRuleSet(db, siteId)), dryRun: false, wouldFire };
    },
  );

  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof ListQuery> }>(
    '/sites/:siteId/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts of a site, newest first: open ones (?state=open) and the history',
        params: SiteParams,
        querystring: ListQuery,
        response: { 200: { ...Type.Array(AlertView), description: 'Alerts' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const q = req.query;
      await mustGetSite(db, req.params.siteId);
      const states = parseStates(q.state);
      const alerts = await listAlerts(db, {
        siteId: req.params.siteId,
        ...(states ? { states } : {}),
        ...(q.rule !== undefined ? { ruleId: q.rule } : {}),
        ...(q.from !== undefined ? { fromMs: Date.parse(q.from) } : {}),
        ...(q.to !== undefined ? { toMs: Date.parse(q.to) } : {}),
        limit: q.limit,
      });
      const deliveries = await listDeliveries(
        db,
        alerts.map((a) => a.id),
      );
      return alerts.map((a) => ({ ...a, deliveries: deliveries.filter((d) => d.alertId === a.id) }));
    },
  );

  app.post<{ Params: Static<typeof AlertParams> }>(
    '/sites/:siteId/alerts/:alertId/ack',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an alert: no more re-notifications; who and when are kept and audited (idempotent)',
        params: AlertParams,
        response: { 200: { ...AlertView, description: 'The acknowledged alert' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const { siteId, alertId } = req.params;
      const ctx = contextOf(req);
      const by = ctx.actor.name ?? ctx.actor.id ?? ctx.actor.type;
      const result = await db.transaction(async (tx) => {
        const r = await acknowledgeAlert(tx, siteId, alertId, by);
        if (r?.changed)
          await recordAudit(tx, {
            ...ctx,
            action: 'alert.acknowledge',
            target: `alert:${r.alert.id}`,
            siteId,
            after: { ruleId: r.alert.ruleId, subject: r.alert.subject, state: r.alert.state, severity: r.alert.severity },
          });
        return r;
      });
      if (result === undefined) throw new HttpError(404, 'not_found', `No alert ${alertId} on site ${siteId}`);
      if (result.changed) {
        const { rules } = await getRuleSet(db, siteId);
        await service.acknowledged(
          result.alert,
          rules.find((r) => r.id === result.alert.ruleId),
        );
      }
      return { ...result.alert, deliveries: await listDeliveries(db, [alertId]) };
    },
  );
}
