/**
 * The running simulator (adapter): a clock, the pure site physics, the simulated SunSpec PV and
 * battery inverters on a Modbus TCP server (unit ids 1 and 2 by default) and the main meter on
 * MQTT. Every `tickMs` of wall time the physics is advanced to the clock's now (steps of at most
 * `maxStepMs` simulated ms), the register images are refreshed, and, every `meterIntervalMs`, the
 * meter publishes. A write over Modbus first advances the physics to now, then takes effect.
 */
import type { SunSpecModels } from '../devices/sunspec/models.js';
import type { SimClock } from './clock.js';
import { simulatedBatteryInverter, simulatedPvInverter } from './inverters.js';
import { mqttMeter, type MeterPublisher } from './meter.js';
import { startModbusServer, type ModbusServer } from './modbus/server.js';
import { REFERENCE_SITE, SiteSimulator, type SiteParams, type SiteProfile, type StepRecord } from './site.js';
import type { SunSpecDevice } from './sunspec-device.js';

export interface SimulatorOptions {
  profile: SiteProfile;
  params?: SiteParams;
  clock: SimClock;
  models: SunSpecModels;
  /** wall ms between physics ticks (default 1000) */
  tickMs?: number;
  /** longest physics step, simulated ms (default 1000) */
  maxStepMs?: number;
  /** the Modbus server for both inverters; omitted = no server (the devices still exist) */
  modbus?: { host?: string; port: number; pvUnitId?: number; batteryUnitId?: number };
  /** the meter on MQTT; omitted = no meter publishing */
  mqtt?: { url: string; prefix: string; username?: string; password?: string; clientId?: string };
  /** wall ms between meter messages (default tickMs) */
  meterIntervalMs?: number;
  log?: { info: (o: object, msg: string) => void; warn: (o: object, msg: string) => void };
  /** every step (tests, statistics) */
  onStep?: (r: StepRecord) => void;
}

export interface SimulatorStats {
  steps: number;
  ticks: number;
  importLimitViolations: number;
  exportLimitViolations: number;
  reverts: { battery: number; pv: number };
}

export interface RunningSimulator {
  site: SiteSimulator;
  clock: SimClock;
  pv: SunSpecDevice;
  battery: SunSpecDevice;
  modbus: ModbusServer | undefined;
  meter: MeterPublisher | undefined;
  stats: SimulatorStats;
  /** advances the physics to the clock's now and refreshes the images (the timer calls it; tests may too) */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulator(o: SimulatorOptions): Promise<RunningSimulator> {
  const tickMs = o.tickMs ?? 1_000;
  const maxStepMs = o.maxStepMs ?? 1_000;
  const site = new SiteSimulator(o.profile, o.clock.now(), o.params ?? REFERENCE_SITE);
  const stats: SimulatorStats = { steps: 0, ticks: 0, importLimitViolations: 0, exportLimitViolations: 0, reverts: { battery: 0, pv: 0 } };
  const sync = () => {
    for (const r of site.advanceTo(o.clock.now(), maxStepMs)) {
      stats.steps++;
      if (r.violations.includes('import_limit')) stats.importLimitViolations++;
      if (r.violations.includes('export_limit')) stats.exportLimitViolations++;
      for (const d of r.reverted) {
        stats.reverts[d]++;
        o.log?.info({ device: d, atMs: r.startMs }, `simulator: ${d} setpoint reverted (no renewal within its timeout)`);
      }
      o.onStep?.(r);
    }
  };
  // one step so that the images and the meter start from real values, not zeros
  site.step(1);
  const pv = simulatedPvInverter(site, o.models, { now: o.clock.now, sync, unitId: o.modbus?.pvUnitId ?? 1 });
  const battery = simulatedBatteryInverter(site, o.models, { now: o.clock.now, sync, unitId: o.modbus?.batteryUnitId ?? 2 });

  let modbus: ModbusServer | undefined;
  if (o.modbus) {
    modbus = await startModbusServer({
      ...(o.modbus.host !== undefined ? { host: o.modbus.host } : {}),
      port: o.modbus.port,
      units: new Map([
        [o.modbus.pvUnitId ?? 1, pv],
        [o.modbus.batteryUnitId ?? 2, battery],
      ]),
      onProblem: (p) => o.log?.info(p, `simulator modbus: ${p.reason}`),
    });
  }
  const meter = o.mqtt ? mqttMeter(o.mqtt) : undefined;
  const meterEvery = o.meterIntervalMs ?? tickMs;
  let lastMeterWall = -Infinity;

  let inFlight: Promise<void> = Promise.resolve();
  const tick = async () => {
    stats.ticks++;
    sync();
    pv.refresh();
    battery.refresh();
    if (meter && Date.now() - lastMeterWall >= meterEvery) {
      try {
        if (await meter.publish(site, site.nowMs)) lastMeterWall = Date.now();
      } catch (err) {
        o.log?.warn({ err: (err as Error).message }, 'simulator: meter publish failed; will retry');
      }
    }
  };
  const timer = setInterval(() => {
    inFlight = inFlight.then(tick);
  }, tickMs);
  timer.unref();
  inFlight = tick();
  await inFlight;
  return {
    site,
    clock: o.clock,
    pv,
    battery,
    modbus,
    meter,
    stats,
    tick: () => (inFlight = inFlight.then(tick)),
    async stop() {
      clearInterval(timer);
      await inFlight;
      await modbus?.close();
      await meter?.close();
    },
  };
}
