/** A site's energy configuration: GET (read) and PUT (configure; validated, audited, versioned). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { contextOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import { mustGetSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { loadTariff } from '../tariffs/loader.js';
import { parseSiteEnergy } from './model.js';
import { getSiteEnergy, putSiteEnergy, type StoredSiteEnergy } from './store.js';

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const SiteEnergyView = Type.Object({
  siteId: Type.String(),
  version: Type.Integer({ description: 'goes up by one with every change' }),
  updatedAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
  config: Type.Unknown({
    description:
      'SiteEnergy (api/src/site-energy/model.ts): tariffId, priceZone, grid {importLimitW, exportLimitW, powerSeries}, loadSeries, pv[], batteries[], flexibleLoads[], peakTargetW, noExportAtNegativePrice, control',
  }),
});

const view = (s: StoredSiteEnergy) => ({
  siteId: s.siteId,
  version: s.version,
  updatedAt: new Date(s.updatedAtMs).toISOString(),
  updatedBy: s.updatedBy,
  config: s.config,
});

/** Called after a successful PUT (the planner re-plans the site). */
export type SiteEnergyListener = (siteId: string) => void;

export function registerSiteEnergyRoutes(app: FastifyInstance, db: Database, onChange?: SiteEnergyListener): void {
  app.get<{ Params: Static<typeof SiteParams> }>(
    '/sites/:siteId/energy',
    {
      schema: {
        tags: ['planning'],
        summary: "The site's energy configuration (grid limits, tariff, PV, batteries, flexible loads, series keys)",
        params: SiteParams,
        response: { 200: { ...SiteEnergyView, description: 'The stored configuration' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      const stored = await getSiteEnergy(db, req.params.siteId);
      if (!stored)
        throw new HttpError(
          404,
          'not_configured',
          `Site "${req.params.siteId}" has no energy configuration yet (PUT /sites/${req.params.siteId}/energy); it is not planned for`,
        );
      return view(stored);
    },
  );

  app.put<{ Params: Static<typeof SiteParams>; Body: unknown }>(
    '/sites/:siteId/energy',
    {
      schema: {
        tags: ['planning'],
        summary: "Configure the site's energy system (validated; every error names its field; audited with before/after; version + 1)",
        params: SiteParams,
        body: Type.Object({}, { additionalProperties: true, description: 'a SiteEnergy object (see GET)' }),
        response: { 200: { ...SiteEnergyView, description: 'Stored' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      await mustGetSite(db, req.params.siteId);
      const parsed = parseSiteEnergy(req.body);
      if (!parsed.ok) throw new HttpError(400, 'invalid_site_energy', `Invalid site energy configuration: ${parsed.errors.join('; ')}`);
      const tariffId = parsed.value.tariffId;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(tariffId) || tariffId.includes('..'))
        throw new HttpError(
          400,
          'invalid_site_energy',
          `Invalid site energy configuration: tariffId: "${tariffId}" is not a tariff file name`,
        );
      try {
        await loadTariff(tariffId);
      } catch (err) {
        throw new HttpError(
          400,
          'invalid_site_energy',
          `Invalid site energy configuration: tariffId: no usable tariff "${tariffId}" in tariffs/ (${(err as Error).message})`,
        );
      }
      const stored = await putSiteEnergy(db, req.params.siteId, parsed.value, contextOf(req));
      onChange?.(req.params.siteId);
      return view(stored);
    },
  );
}
