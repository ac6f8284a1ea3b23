/**
 * The demo site on the site simulator (LUNA_DEMO=simulator — the default with the embedded
 * database): the simulator runs in-process on the demo year (real load, modelled PV) with the
 * reference battery, and the site's data reaches Luna through the same paths as a real site's:
 *
 *   simulator ──Modbus TCP/SunSpec (127.0.0.1:LUNA_SIM_MODBUS_PORT)──▶ SunSpec drivers (devices/, attached to
 *                                                                        the device layer at speed 1) ──▶ ingest bus
 *             ──MQTT JSON (luna-sim/demo/grid, /load)──▶ broker ──▶ MQTT ingest (ingest/mqtt/) ──▶ ingest bus
 *   control agents (api/src/control) ──driver.write('power' W / 'limit' %, revert timeout)──▶ SunSpec 124 / 123 ──▶ physics
 *
 * Series: grid/power, grid/energy_import, grid/energy_export, load/power (meters over MQTT);
 * pv/power, pv/energy, battery/power, battery/soc, battery/energy_discharged (inverters over
 * Modbus). The 7 days before the start are backfilled from the plain replay (no battery), so
 * charts are not empty. When MQTT is off (LUNA_MQTT=off) the meter values are handed to the
 * ingest bus directly — a fallback, said so in the log.
 *
 * The demo site is controlled by Luna's control agents (api/src/control, wired in app.ts when
 * LUNA_CONTROL=on): they follow the stored plan, shave peaks in real time and write through these
 * SunSpec drivers with the assets' revert timeouts (simulated seconds). Every reading on its way to
 * the ingest bus passes `measurements` (a ReadingsTap), so the agents see it at once. On the first
 * start the demo site's automation is switched on (audited); an operator's later stop is kept.
 * With LUNA_CONTROL=off nothing drives the battery: it idles.
 */
import { readFileSync } from 'node:fs';
import { DEVICE_MODELS_DIR, validateModelJson } from '../devices/catalog.js';
import { parseDeviceConfig, type DeviceModel } from '../devices/definition.js';
import type { DeviceDriver } from '../devices/driver.js';
import { deviceWriterSink } from '../devices/sink.js';
import { SunSpecDriver } from '../devices/sunspec/driver.js';
import { shippedSunSpecModels } from '../devices/sunspec/models.js';
import type { Reading } from '../ingest/model.js';
import { compileMappings } from '../ingest/mqtt/mapping.js';
import { startMqttIngest, type MqttIngest } from '../ingest/mqtt/service.js';
import { realTimeClock } from '../simulator/clock.js';
import { meterMappings } from '../simulator/meter.js';
import { demoProfile } from '../simulator/profile.js';
import { startSimulator, type RunningSimulator } from '../simulator/runner.js';
import { REFERENCE_SITE } from '../simulator/site.js';
import { recordAudit, SYSTEM } from '../audit/index.js';
import { ReadingsTap } from '../control/measurements.js';
import { backfillPoints, parseDemoCsv } from './replay.js';
import {
  BACKFILL_DAYS,
  DEMO_SITE,
  ensureDemoSiteWith,
  readingsOf,
  type DemoOptions,
  type DemoReplay,
  type DemoSeriesSpec,
} from './service.js';

export const SIM_SERIES: readonly DemoSeriesSpec[] = [
  { key: 'grid/energy_import', name: 'Grid energy imported (meter)', quantity: 'energy_import', semantics: 'cumulative' },
  { key: 'grid/energy_export', name: 'Grid energy exported (meter)', quantity: 'energy_export', semantics: 'cumulative' },
  { key: 'pv/energy', name: 'PV energy produced', quantity: 'energy', semantics: 'cumulative' },
  { key: 'battery/power', name: 'Battery power (+ discharge, − charge)', quantity: 'active_power', semantics: 'instantaneous' },
  { key: 'battery/soc', name: 'Battery state of charge', quantity: 'state_of_charge', semantics: 'instantaneous' },
  { key: 'battery/energy_discharged', name: 'Battery energy discharged', quantity: 'energy', semantics: 'cumulative' },
];

/** The MQTT topic prefix of the demo site's meters. */
export const DEMO_METER_PREFIX = 'luna-sim/demo';
/**
 * Peak-shaving threshold of the former stand-in demo controller, W. No controller uses it any more
 * (the control agents hold the plan's peak target); still exported by api/src/demo/index.ts.
 */
export const DEMO_PEAK_LIMIT_W = 400_000;

/** Where the demo's devices run when the service has a device layer (api/src/devices/service.ts): health in /ready, metrics, the API. */
export interface DemoDeviceHost {
  attach(input: unknown): Promise<unknown>;
  driver(siteId: string, id: string): DeviceDriver | undefined;
  remove(siteId: string, id: string): Promise<boolean>;
}

export interface SimulatedDemoOptions extends DemoOptions {
  /**
   * the service's device layer: at speed 1 the demo's inverters are attached there (so they show in
   * the device API, /ready and /metrics); at other speeds, and without it, the demo runs its own
   * drivers, stamped with the simulated clock
   */
  devices?: DemoDeviceHost;
  /** simulated seconds per wall second */
  speed: number;
  /** Modbus TCP port of the simulated inverters on 127.0.0.1 (0 = any free port) */
  modbusPort: number;
  /** the broker for the meters; undefined = MQTT off, meter values go to the ingest bus directly */
  mqtt?: { url: string; username?: string; password?: string };
}

export interface SimulatedDemo extends DemoReplay {
  mode: 'simulator';
  simulator: RunningSimulator;
  /** the PV and battery inverter drivers (SunSpec over Modbus TCP) */
  drivers: DeviceDriver[];
  /** how the meter values travel */
  meterPath: 'mqtt' | 'ingest-bus';
  /** every series of the demo site by key */
  allSeriesIds: Record<string, number>;
  /** every reading of the demo site on its way to the ingest bus (the control agents read it) */
  measurements: ReadingsTap;
}

function loadModel(id: string): DeviceModel {
  const file = `${DEVICE_MODELS_DIR}${id}.json`;
  const r = validateModelJson(JSON.parse(readFileSync(file, 'utf8')), `devices/models/${id}.json`);
  if (!r.model) throw new Error(r.errors.join('; '));
  return r.model;
}

export async function startSimulatedDemo(o: SimulatedDemoOptions): Promise<SimulatedDemo> {
  const wall = o.now ?? Date.now;
  const demo = parseDemoCsv(readFileSync(o.dataFile, 'utf8'));
  const allSeriesIds = await ensureDemoSiteWith(o.db, SIM_SERIES);
  const measurements = new ReadingsTap();
  measurements.register(DEMO_SITE.id, allSeriesIds);
  const bus = measurements.wrap(o.bus);
  await enableAutomationOnFirstStart(o.db);
  const seriesIds = {
    'grid/power': allSeriesIds['grid/power']!,
    'load/power': allSeriesIds['load/power']!,
    'pv/power': allSeriesIds['pv/power']!,
  };
  await o.bus.enqueue(readingsOf(backfillPoints(demo, wall(), BACKFILL_DAYS), seriesIds));

  const clock = realTimeClock(o.speed, { wall });
  const intervalMs = o.intervalS * 1000;
  const closers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const simulator = await startSimulator({
      profile: demoProfile(demo),
      params: REFERENCE_SITE,
      clock,
      models: shippedSunSpecModels(),
      tickMs: Math.min(1_000, intervalMs),
      maxStepMs: Math.max(1_000, Math.ceil(o.speed) * 100),
      modbus: { host: '127.0.0.1', port: o.modbusPort, pvUnitId: 1, batteryUnitId: 2 },
      ...(o.mqtt ? { mqtt: { ...o.mqtt, prefix: DEMO_METER_PREFIX, clientId: `luna-sim-demo-${process.pid}` } } : {}),
      meterIntervalMs: intervalMs,
      log: { info: () => undefined, warn: (d, msg) => o.log.warn(d, msg) },
    });
    closers.push(() => simulator.stop());

    // meters: MQTT ingest of the simulator's topics, or (MQTT off) straight to the ingest bus
    let meterPath: SimulatedDemo['meterPath'];
    if (o.mqtt) {
      const compiled = compileMappings(meterMappings(DEMO_METER_PREFIX));
      if (!compiled.ok) throw new Error(`demo meter mappings: ${compiled.errors.join('; ')}`);
      const ingest: MqttIngest = startMqttIngest({
        sites: [{ siteId: DEMO_SITE.id, mappings: compiled.mappings }],
        url: o.mqtt.url,
        ...(o.mqtt.username !== undefined ? { username: o.mqtt.username } : {}),
        ...(o.mqtt.password !== undefined ? { password: o.mqtt.password } : {}),
        db: o.db,
        writer: bus,
        log: o.log,
      });
      closers.push(() => ingest.close());
      meterPath = 'mqtt';
    } else {
      // FALLBACK (LUNA_MQTT=off): no broker to publish to, so the meter values skip MQTT and go to the ingest bus directly.
      const timer = setInterval(() => {
        const r = simulator.site.last;
        if (!r) return;
        const tsMs = Math.round(simulator.site.nowMs);
        const c = simulator.site.counters;
        const v = (key: string, value: number): Reading => ({
          seriesId: allSeriesIds[key]!,
          tsMs,
          value: Math.round(value * 10) / 10,
          quality: 'measured',
        });
        bus
          .enqueue([
            v('grid/power', r.gridW),
            v('load/power', r.loadW),
            v('grid/energy_import', c.gridImportWh),
            v('grid/energy_export', c.gridExportWh),
          ])
          .catch((err: Error) =>
            o.log.warn({ err: err.message }, 'demo site: could not hand meter readings to the ingest bus; will retry'),
          );
      }, intervalMs);
      timer.unref();
      closers.push(async () => clearInterval(timer));
      meterPath = 'ingest-bus';
    }

    // inverters: the device layer's SunSpec driver polls the simulator like any SunSpec device
    const sink = deviceWriterSink(o.db, bus, o.log);
    closers.push(() => sink.close());
    const drivers: DeviceDriver[] = [];
    for (const [id, modelId, unitId] of [
      ['pv', 'sim-pv-inverter', 1],
      ['battery', 'sim-battery-inverter', 2],
    ] as const) {
      const model = loadModel(modelId);
      const config = parseDeviceConfig(
        {
          id,
          siteId: DEMO_SITE.id,
          model: modelId,
          name: model.name,
          protocol: 'sunspec',
          connection: {
            host: '127.0.0.1',
            port: simulator.modbus!.port,
            unitId,
            pollIntervalMs: intervalMs,
            timeoutMs: 2_000,
            sunspecBase: 40_000,
          },
        },
        model,
      );
      if (!config.ok) throw new Error(`demo device ${id}: ${config.errors.join('; ')}`);
      const host = o.devices;
      if (host && o.speed === 1) {
        await host.attach(config.value);
        const attached = host.driver(DEMO_SITE.id, id);
        if (!attached) throw new Error(`demo device ${id}: the device layer did not start it`);
        drivers.push(attached);
        closers.push(async () => void (await host.remove(DEMO_SITE.id, id)));
        continue;
      }
      const driver = new SunSpecDriver(config.value as Extract<typeof config.value, { protocol: 'sunspec' }>, model, sink, {
        now: clock.now,
        log: { info: () => undefined, warn: (d, msg) => o.log.warn(d, msg) },
      });
      await driver.start();
      drivers.push(driver);
      closers.push(() => driver.stop());
    }

    return {
      mode: 'simulator',
      siteId: DEMO_SITE.id,
      seriesIds,
      allSeriesIds,
      simulator,
      drivers,
      meterPath,
      measurements,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The demo site drives its simulated battery from the start: automation on, once — unless an
 * operator has switched it on or off before (then that choice stands).
 */
async function enableAutomationOnFirstStart(db: SimulatedDemoOptions['db']): Promise<void> {
  const { rows } = await db.query<{ n: number }>(
    "select count(*)::int as n from audit_log where site_id = $1 and action in ('command.automation_start', 'command.automation_stop')",
    [DEMO_SITE.id],
  );
  if (rows[0]!.n > 0) return;
  await db.query('update sites set automation_enabled = true, updated_at = now() where id = $1', [DEMO_SITE.id]);
  await recordAudit(db, {
    actor: SYSTEM,
    action: 'command.automation_start',
    target: DEMO_SITE.id,
    siteId: DEMO_SITE.id,
    before: { automationEnabled: false },
    after: { automationEnabled: true, reason: 'demo site: first start on the simulator' },
  });
}
