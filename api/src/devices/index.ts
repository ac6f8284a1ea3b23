/**
 * Devices — the Integration Layer for field devices: declarative definitions (definition.ts,
 * devices/models/*.json), one driver per protocol (modbus/, sunspec/, mqtt/; opcua/ plugs in via
 * registry.ts), the sink into the ingest writer (sink.ts), health (health.ts) and the service
 * with its API (service.ts, routes.ts). See README.md in this folder.
 */
export * from './definition.js';
export * from './driver.js';
export { HealthTracker, backoffMs, type HealthListener } from './health.js';
export { loadDeviceModels, validateModelJson, DEVICE_MODELS_DIR } from './catalog.js';
export { deviceWriterSink, type DeviceWriterSink } from './sink.js';
export { DeviceService, DeviceConfigError, type DeviceEntry } from './service.js';
export { createDriver, registerDriverFactory } from './registry.js';
export { registerDeviceRoutes } from './routes.js';
