/** Public face of the site energy configuration: the contract (model.ts), its store and routes. */
export * from './model.js';
export { getSiteEnergy, listSiteEnergy, putSiteEnergy, ensureSiteEnergy, type StoredSiteEnergy } from './store.js';
export { registerSiteEnergyRoutes, type SiteEnergyListener } from './routes.js';
