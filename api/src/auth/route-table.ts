/**
 * THE access table: every route of the service and what it needs. The guard refuses to start the
 * service when a route has no entry, and the authorisation matrix test is generated from this table.
 *
 *   public                      anyone, no credentials
 *   authenticated               any signed-in user (and API keys where keys: true)
 *   { permission, site }        a role that includes the permission — on the site named by the
 *                               route parameter :siteId (site: 'param'), by the body's siteId
 *                               (site: 'body'), or on every site (site: 'global')
 */
import type { Permission } from './roles.js';

export type Access =
  | { kind: 'public' }
  | { kind: 'authenticated'; keys: boolean }
  | { kind: 'permission'; permission: Permission; site: 'param' | 'body' | 'global' };

const pub: Access = { kind: 'public' };
const signedIn = (keys = false): Access => ({ kind: 'authenticated', keys });
const onSite = (permission: Permission): Access => ({ kind: 'permission', permission, site: 'param' });
const inBody = (permission: Permission): Access => ({ kind: 'permission', permission, site: 'body' });
const global = (permission: Permission): Access => ({ kind: 'permission', permission, site: 'global' });

/** Key: "METHOD /path" with Fastify's :param syntax. */
export const ROUTE_ACCESS: Readonly<Record<string, Access>> = {
  'GET /health': pub,
  'GET /ready': pub,
  'GET /metrics': pub,
  'GET /*': pub, // dashboard files
  'GET /': pub, // dashboard placeholder when the frontend is not built
  'OPTIONS *': pub, // CORS preflight, only registered when LUNA_CORS_ORIGINS is set

  'GET /auth/setup': pub,
  'POST /auth/setup': pub,
  'POST /auth/login': pub,
  'POST /auth/refresh': pub,
  'POST /auth/logout': signedIn(),
  'GET /auth/me': signedIn(true),

  'GET /sites': signedIn(true),
  'POST /sites': global('administer'),
  'GET /sites/:siteId': onSite('read'),
  'PATCH /sites/:siteId': onSite('configure'),
  'PUT /sites/:siteId/automation': onSite('operate'),

  'GET /device-models': signedIn(true),
  'GET /sites/:siteId/devices': onSite('read'),
  'PUT /sites/:siteId/devices/:deviceId': onSite('configure'),
  'DELETE /sites/:siteId/devices/:deviceId': onSite('configure'),
  'POST /sites/:siteId/devices/:deviceId/setpoints/:setpoint': onSite('operate'),

  // manual overrides (operator) and grid-operator signals: sent by the DSO's gateway with an API key of scope ingest (or an engineer)
  'GET /sites/:siteId/overrides': onSite('read'),
  'PUT /sites/:siteId/overrides/:assetId': onSite('operate'),
  'DELETE /sites/:siteId/overrides/:assetId': onSite('operate'),
  'GET /sites/:siteId/grid-signals': onSite('read'),
  'POST /sites/:siteId/grid-signals': onSite('ingest'),
  'DELETE /sites/:siteId/grid-signals/:signalId': onSite('ingest'),

  'GET /sites/:siteId/series': onSite('read'),
  'POST /sites/:siteId/series': onSite('configure'),
  'GET /sites/:siteId/series/:seriesId/readings': onSite('read'),
  'GET /sites/:siteId/prices': onSite('read'),
  'POST /sites/:siteId/prices': onSite('configure'),
  'GET /sites/:siteId/weather': onSite('read'),
  'POST /sites/:siteId/weather': onSite('configure'),
  'GET /sites/:siteId/forecasts': onSite('read'),
  'GET /sites/:siteId/energy': onSite('read'),
  'PUT /sites/:siteId/energy': onSite('configure'),
  'GET /sites/:siteId/plans': onSite('read'),
  'GET /sites/:siteId/plans/current': onSite('read'),
  'POST /sites/:siteId/plans': onSite('operate'),
  // flexible-load demands (EV charging sessions…): the planner plans them
  'GET /sites/:siteId/flexible-demands': onSite('read'),
  'POST /sites/:siteId/flexible-demands': onSite('operate'),
  'DELETE /sites/:siteId/flexible-demands/:demandId': onSite('operate'),
  // control agents: their commands (audit of every setpoint) and their state
  'GET /sites/:siteId/control/commands': onSite('read'),
  'GET /sites/:siteId/control/agents': onSite('read'),
  'GET /sites/:siteId/rules': onSite('read'),
  'GET /sites/:siteId/rules/versions': onSite('read'),
  'PUT /sites/:siteId/rules': onSite('configure'),
  'POST /sites/:siteId/rules/validate': onSite('configure'),
  'POST /sites/:siteId/rules/dry-run': onSite('read'),
  'POST /sites/:siteId/recommend': onSite('read'),
  'GET /sites/:siteId/events': onSite('read'),
  'GET /sites/:siteId/live': onSite('read'), // WebSocket (api/src/live); a plain GET answers 426
  'POST /sites/:siteId/events/:eventId/ack': onSite('operate'),
  'GET /sites/:siteId/alert-rules': onSite('read'),
  'PUT /sites/:siteId/alert-rules': onSite('configure'),
  'GET /sites/:siteId/alerts': onSite('read'),
  'POST /sites/:siteId/alerts/:alertId/ack': onSite('operate'),
  'POST /ingest/readings': inBody('ingest'),

  // knowledge layer: any signed-in user (and read API keys) may ask and list; uploading needs ingest on every site
  'POST /rag/ask': signedIn(true),
  'GET /knowledge/documents': signedIn(true),
  'GET /knowledge/documents/:documentId': signedIn(true),
  'POST /ingest/doc': global('ingest'),
  'POST /sites/:siteId/imports/preview': onSite('ingest'),
  'POST /sites/:siteId/imports': onSite('ingest'),

  'GET /users': global('administer'),
  'POST /users': global('administer'),
  'PATCH /users/:userId': global('administer'),
  'PUT /users/:userId/roles': global('administer'),
  'POST /users/:userId/revoke-sessions': global('administer'),

  'GET /api-keys': global('administer'),
  'POST /api-keys': global('administer'),
  'DELETE /api-keys/:keyId': global('administer'),

  'GET /settings': global('administer'),
  'PUT /settings/:key': global('administer'),

  'GET /audit': global('administer'),
};

/** Routes under these prefixes are public (interactive API docs and their assets). */
export const PUBLIC_PREFIXES = ['/docs'] as const;

export function accessFor(method: string, url: string): Access | undefined {
  const entry = ROUTE_ACCESS[`${method} ${url}`];
  if (entry) return entry;
  if (PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))) return pub;
  return undefined;
}
