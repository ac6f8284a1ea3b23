/** The demo site "Musterwerk (Demo)": on the site simulator (devices over Modbus/SunSpec and MQTT) or as a plain replay through the ingest bus (see demo/README.md). */
export {
  BACKFILL_DAYS,
  DEMO_SERIES,
  DEMO_SITE,
  ensureDemoSite,
  ensureDemoSiteWith,
  startDemo,
  type DemoOptions,
  type DemoReplay,
  type DemoSeriesSpec,
} from './service.js';
export { backfillPoints, demoOffsetMs, parseDemoCsv, powersAt, SLOT_MS, type DemoPoint, type DemoPowers, type DemoYear } from './replay.js';
export {
  DEMO_METER_PREFIX,
  DEMO_PEAK_LIMIT_W,
  SIM_SERIES,
  startSimulatedDemo,
  type SimulatedDemo,
  type SimulatedDemoOptions,
} from './simulated.js';
