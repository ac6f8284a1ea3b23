/**
 * Sites: the unit every permission, series, device and plan belongs to. Here: create, read,
 * configure (name, time zone) and start/stop automation. Ingest adds location and grid limits (#4).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { ALL_SITES, userMay } from '../auth/roles.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, ErrorBody, notFound, strict } from '../http/schemas.js';
import type { Database } from '../store/index.js';

const Site = Type.Object({
  id: Type.String({ description: 'short lower-case id used in URLs, e.g. musterwerk' }),
  name: Type.String(),
  timeZone: Type.String({ description: 'IANA time zone, e.g. Europe/Berlin' }),
  automationEnabled: Type.Boolean({ description: 'whether control agents may drive devices' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
type SiteView = Static<typeof Site>;
const TimeZone = Type.String({ minLength: 1, maxLength: 64 });
const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);

function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new HttpError(400, 'invalid_time_zone', `timeZone "${tz}" is not an IANA time zone such as Europe/Berlin`);
  }
}

export async function getSite(db: Database, id: string): Promise<SiteView | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    'select id, name, time_zone, automation_enabled, created_at, updated_at from sites where id = $1',
    [id],
  );
  const r = rows[0];
  return r
    ? {
        id: r.id as string,
        name: r.name as string,
        timeZone: r.time_zone as string,
        automationEnabled: r.automation_enabled as boolean,
        createdAt: new Date(r.created_at as string).toISOString(),
        updatedAt: new Date(r.updated_at as string).toISOString(),
      }
    : undefined;
}

/** The site, or a 404 naming it — the one existence check for routes under /sites/:siteId. */
export async function mustGetSite(db: Database, id: string): Promise<SiteView> {
  const site = await getSite(db, id);
  if (!site) throw new HttpError(404, 'not_found', `No site "${id}"`);
  return site;
}

export function registerSiteRoutes(app: FastifyInstance, db: Database, defaultTimeZone: string): void {
  app.get(
    '/sites',
    {
      schema: {
        tags: ['sites'],
        summary: 'The sites the caller may see',
        response: { 200: { ...Type.Array(Site), description: 'Sites' }, ...errorResponses },
      },
    },
    async (req) => {
      const { rows } = await db.query<{ id: string }>('select id from sites order by id');
      const p = req.principal!;
      const visible = rows.filter((r) => (p.kind === 'api_key' ? p.siteId === r.id : userMay(p.grants, 'read', r.id)));
      return Promise.all(visible.map((r) => mustGetSite(db, r.id)));
    },
  );

  const CreateSite = Type.Object(
    {
      id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: '2–63 lower-case letters, digits, hyphens' }),
      name: Type.String({ minLength: 1, maxLength: 200 }),
      timeZone: Type.Optional(TimeZone),
    },
    strict,
  );
  app.post<{ Body: Static<typeof CreateSite> }>(
    '/sites',
    {
      schema: {
        tags: ['sites'],
        summary: 'Create a site',
        body: CreateSite,
        response: { 201: { ...Site, description: 'Created' }, ...errorResponses, 409: { ...ErrorBody, description: 'Id taken' } },
      },
    },
    async (req, reply) => {
      const tz = req.body.timeZone ?? defaultTimeZone;
      assertTimeZone(tz);
      if (req.body.id === ALL_SITES) throw new HttpError(400, 'invalid_site', 'Site id * is reserved');
      await db.transaction(async (tx) => {
        const exists = await tx.query('select 1 from sites where id = $1', [req.body.id]);
        if (exists.rows.length) throw new HttpError(409, 'site_exists', `Site "${req.body.id}" exists`);
        await tx.query('insert into sites (id, name, time_zone) values ($1, $2, $3)', [req.body.id, req.body.name, tz]);
        await recordAudit(tx, {
          ...contextOf(req),
          action: 'site.create',
          target: `site:${req.body.id}`,
          siteId: req.body.id,
          after: { name: req.body.name, timeZone: tz },
        });
      });
      return reply.code(201).send(await mustGetSite(db, req.body.id));
    },
  );

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId',
    {
      schema: {
        tags: ['sites'],
        summary: 'One site',
        params: SiteParams,
        response: { 200: { ...Site, description: 'The site' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => mustGetSite(db, req.params.siteId),
  );

  const PatchSite = Type.Object(
    { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), timeZone: Type.Optional(TimeZone) },
    { ...strict, minProperties: 1 },
  );
  app.patch<{ Params: Static<typeof SiteParams>; Body: Static<typeof PatchSite> }>(
    '/sites/:siteId',
    {
      schema: {
        tags: ['sites'],
        summary: "Change a site's name or time zone",
        params: SiteParams,
        body: PatchSite,
        response: { 200: { ...Site, description: 'Updated' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const before = await mustGetSite(db, req.params.siteId);
      if (req.body.timeZone) assertTimeZone(req.body.timeZone);
      await db.transaction(async (tx) => {
        await tx.query(
          'update sites set name = coalesce($2, name), time_zone = coalesce($3, time_zone), updated_at = now() where id = $1',
          [req.params.siteId, req.body.name ?? null, req.body.timeZone ?? null],
        );
        await recordAudit(tx, {
          ...contextOf(req),
          action: 'site.update',
          target: `site:${before.id}`,
          siteId: before.id,
          before: { name: before.name, timeZone: before.timeZone },
          after: { name: req.body.name ?? before.name, timeZone: req.body.timeZone ?? before.timeZone },
        });
      });
      return mustGetSite(db, req.params.siteId);
    },
  );

  const Automation = Type.Object({ enabled: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) }, strict);
  app.put<{ Params: Static<typeof SiteParams>; Body: Static<typeof Automation> }>(
    '/sites/:siteId/automation',
    {
      schema: {
        tags: ['sites'],
        summary: 'Start or stop automatic control of a site (operator)',
        description: 'A manual command: recorded in the audit log with the user and the reason.',
        params: SiteParams,
        body: Automation,
        response: { 200: { ...Site, description: 'Updated' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const before = await mustGetSite(db, req.params.siteId);
      await db.transaction(async (tx) => {
        await tx.query('update sites set automation_enabled = $2, updated_at = now() where id = $1', [before.id, req.body.enabled]);
        await recordAudit(tx, {
          ...contextOf(req),
          action: req.body.enabled ? 'command.automation_start' : 'command.automation_stop',
          target: `site:${before.id}`,
          siteId: before.id,
          before: { automationEnabled: before.automationEnabled },
          after: { automationEnabled: req.body.enabled, ...(req.body.reason ? { reason: req.body.reason } : {}) },
        });
      });
      return mustGetSite(db, before.id);
    },
  );
}
