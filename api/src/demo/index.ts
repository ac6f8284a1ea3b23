/** The demo site "Musterwerk (Demo)": real measured load and modelled PV replayed through the ingest bus (see demo/README.md). */
export { BACKFILL_DAYS, DEMO_SERIES, DEMO_SITE, ensureDemoSite, startDemo, type DemoOptions, type DemoReplay } from './service.js';
export { backfillPoints, demoOffsetMs, parseDemoCsv, powersAt, SLOT_MS, type DemoPoint, type DemoPowers, type DemoYear } from './replay.js';
