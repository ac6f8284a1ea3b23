/**
 * Public face of the control layer (see docs/control.md): the safety envelope, real-time peak
 * shaving and the per-tick decision are pure; the service runs a loop per site, writes through the
 * device layer, stores and audits every command; routes read commands and agent states.
 */
export { clampToEnvelope, violatedLimits, type EnvelopeInput, type EnvelopeLimit, type EnvelopeResult } from './envelope.js';
export { peakShaving, quarterAverages, quarterOf, runningQuarter, QUARTER_MS, type PowerSample, type QuarterState } from './peak.js';
export {
  controlTick,
  planStepAt,
  type AgentMode,
  type AssetDecision,
  type Command,
  type DeviceView,
  type TickInput,
  type TickResult,
} from './tick.js';
export { ControlService, type AgentState, type ControlServiceOptions, type SiteControlSpec, type SiteLoopStatus } from './service.js';
export { CommandStore, type StoredCommand, type CommandPage } from './store.js';
export { DbMeasurements, ReadingsTap, newestOf, type MeasurementSource } from './measurements.js';
export { controlDevices, type ControlDevices } from './devices.js';
export { registerControlRoutes } from './routes.js';
export { startControl, type ControlHandle } from './wiring.js';
