/** GET /audit (admin): read-only; there is no route that changes or deletes entries. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses, strict } from '../http/schemas.js';
import type { Database } from '../store/index.js';
import { queryAudit } from './index.js';

const Entry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time', description: 'UTC' }),
  actorType: Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('system'), Type.Literal('anonymous')]),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({
    description: 'e.g. auth.login, auth.login_failed, user.roles, api_key.revoke, site.update, command.automation_stop, settings.update',
  }),
  target: Type.Union([Type.String(), Type.Null()]),
  siteId: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
});

const Query = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive, ISO 8601' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive, ISO 8601' })),
    action: Type.Optional(Type.String({ maxLength: 100, description: 'exact, or a prefix ending in * (e.g. auth.*)' })),
    actor: Type.Optional(Type.String({ maxLength: 100, description: 'user or key name' })),
    siteId: Type.Optional(Type.String({ maxLength: 63 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    beforeId: Type.Optional(Type.Integer({ minimum: 1, description: 'page: entries older than this id' })),
  },
  strict,
);

export function registerAuditRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (append-only)',
        querystring: Query,
        response: { 200: { ...Type.Array(Entry), description: 'Entries' }, ...errorResponses },
      },
    },
    async (req) => queryAudit(db, req.query),
  );
}
