/** Events of a site: list (filtered) and acknowledge. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import type { Database } from '../store/index.js';
import { acknowledgeEvent, EVENT_SEVERITIES, listEvents, notifyEventChange } from './store.js';

const Severity = Type.Union(EVENT_SEVERITIES.map((s) => Type.Literal(s)));
export const EventSchema = Type.Object({
  id: Type.Integer(),
  siteId: Type.String(),
  seriesId: Type.Union([Type.Integer(), Type.Null()]),
  kind: Type.String({ description: 'e.g. anomaly.gap, anomaly.flatline, anomaly.spike, anomaly.deviation, prices.missing' }),
  severity: Severity,
  start: Type.String({ format: 'date-time', description: 'start of the time range the event covers, UTC' }),
  end: Type.String({ format: 'date-time', description: 'end (exclusive), UTC' }),
  message: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  acknowledgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
});
const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const EventParams = Type.Object({ siteId: Type.String({ maxLength: 63 }), eventId: Type.Integer({ minimum: 1 }) }, strict);
const Query = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'events ending after this instant' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'events starting before this instant' })),
    severity: Type.Optional({ ...Severity, description: 'this severity and above' }),
    kind: Type.Optional(Type.String({ maxLength: 64, description: 'kind prefix, e.g. anomaly. or anomaly.gap' })),
    unacknowledged: Type.Optional(Type.Boolean({ description: 'only events nobody acknowledged yet' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  strict,
);

export function registerEventRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof Query> }>(
    '/sites/:siteId/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Events of a site (anomalies, missing prices), newest first',
        params: SiteParams,
        querystring: Query,
        response: { 200: { ...Type.Array(EventSchema), description: 'Events' }, ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      return listEvents(db, {
        siteId: req.params.siteId,
        ...(q.from !== undefined ? { fromMs: Date.parse(q.from) } : {}),
        ...(q.to !== undefined ? { toMs: Date.parse(q.to) } : {}),
        ...(q.severity !== undefined ? { minSeverity: q.severity } : {}),
        ...(q.kind !== undefined ? { kindPrefix: q.kind } : {}),
        ...(q.unacknowledged !== undefined ? { unacknowledgedOnly: q.unacknowledged } : {}),
        limit: q.limit,
      });
    },
  );

  app.post<{ Params: Static<typeof EventParams> }>(
    '/sites/:siteId/events/:eventId/ack',
    {
      schema: {
        tags: ['events'],
        summary: 'Acknowledge an event (idempotent; the first acknowledgement is kept)',
        params: EventParams,
        response: { 200: { ...EventSchema, description: 'The acknowledged event' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const ctx = contextOf(req);
      const by = ctx.actor.name ?? ctx.actor.id ?? ctx.actor.type;
      const event = await db.transaction(async (tx) => {
        const e = await acknowledgeEvent(tx, req.params.siteId, req.params.eventId, by);
        if (e !== undefined)
          await recordAudit(tx, {
            ...ctx,
            action: 'event.acknowledge',
            target: `event:${e.id}`,
            siteId: e.siteId,
            after: { kind: e.kind, severity: e.severity },
          });
        return e;
      });
      if (event === undefined) throw new HttpError(404, 'not_found', `No event ${req.params.eventId} on site ${req.params.siteId}`);
      notifyEventChange(db, event);
      return event;
    },
  );
}
