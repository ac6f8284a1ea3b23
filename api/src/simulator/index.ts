/**
 * The site simulator: pure physics (site.ts, battery.ts) on an injected clock (clock.ts), exposed
 * like real devices — SunSpec inverters on a Modbus TCP server (inverters.ts, sunspec-device.ts,
 * modbus/) and meters on MQTT (meter.ts) — run by runner.ts. See README.md.
 */
export { manualClock, realTimeClock, type ManualClock, type SimClock } from './clock.js';
export { REFERENCE_BATTERY, stepBattery, validateBattery, type BatteryParams, type BatteryStep } from './battery.js';
export {
  REFERENCE_SITE,
  SiteSimulator,
  type SiteCounters,
  type SiteParams,
  type SiteProfile,
  type StepRecord,
  type Violation,
} from './site.js';
export { constantProfile, demoProfile, seededRandom } from './profile.js';
export { simulatedBatteryInverter, simulatedPvInverter, type InverterOptions } from './inverters.js';
export { SUNSPEC_BASE, SunSpecDevice, type SunSpecDeviceSpec } from './sunspec-device.js';
export { meterMappings, meterMessages, mqttMeter, type MeterMessage, type MeterPublisher } from './meter.js';
export { EXCEPTION, ModbusException } from './modbus/frame.js';
export { registerBlock, startModbusServer, type ModbusServer, type ModbusUnit } from './modbus/server.js';
export { startSimulator, type RunningSimulator, type SimulatorOptions, type SimulatorStats } from './runner.js';
