/**
 * Flexible-load demands (EV charging sessions and the like): model (pure checks, delivered energy,
 * states), store (table flexible_demands), routes, and the planner's demand source.
 */
import type { FlexibleDemand } from '../planning/planner.js';
import { getSiteEnergy } from '../site-energy/store.js';
import type { Database } from '../store/index.js';
import { toPlannerDemand } from './model.js';
import { refreshDemands } from './store.js';

export * from './model.js';
export { cancelDemand, createDemand, DemandError, deliveredWh, listDemands, READING_HOLD_MS, refreshDemands } from './store.js';
export { registerFlexibleRoutes, type DemandListener } from './routes.js';

/** The planning service's `flexibleDemands` source: the open demands of the site with the energy they still need. */
export function flexibleDemandSource(db: Database): (siteId: string, nowMs: number) => Promise<FlexibleDemand[]> {
  return async (siteId, nowMs) => {
    const energy = await getSiteEnergy(db, siteId);
    if (!energy) return [];
    const open = await refreshDemands(db, siteId, energy.config, nowMs);
    return open.map(toPlannerDemand).filter((d) => d.energyWh > 0);
  };
}
