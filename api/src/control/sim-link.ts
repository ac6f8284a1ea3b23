/**
 * Luna's side of a simulated site for the control tests, the kill test's child process and the
 * benchmark: the device layer's SunSpec drivers over Modbus TCP to the simulator's PV and battery
 * inverters, and the grid meter — over MQTT (`<prefix>/grid`, the simulator's meter) or fed
 * in-process — all into a ReadingsTap the agents read. Series ids are assigned here (no database).
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { DEVICE_MODELS_DIR, validateModelJson } from '../devices/catalog.js';
import { parseDeviceConfig, type DeviceModel } from '../devices/definition.js';
import type { DeviceBatch, DeviceDriver } from '../devices/driver.js';
import { SunSpecDriver } from '../devices/sunspec/driver.js';
import { controlDevices, type ControlDevices } from './devices.js';
import { ReadingsTap } from './measurements.js';

export interface SimLink {
  tap: ReadingsTap;
  devices: ControlDevices;
  drivers: DeviceDriver[];
  /** hands a meter reading to the tap (in-process meter) */
  meter(tsMs: number, gridW: number): void;
  stop(): Promise<void>;
}

export function loadDeviceModel(id: string): DeviceModel {
  const r = validateModelJson(JSON.parse(readFileSync(`${DEVICE_MODELS_DIR}${id}.json`, 'utf8')), `devices/models/${id}.json`);
  if (!r.model) throw new Error(r.errors.join('; '));
  return r.model;
}

export async function linkSimulatedSite(o: {
  siteId: string;
  host?: string;
  port: number;
  /** the site clock (simulated time) that stamps the drivers' readings */
  now: () => number;
  pollIntervalMs: number;
  /** subscribe to the simulator's MQTT meter; omitted = call meter() yourself */
  mqtt?: { url: string; prefix: string };
  tap?: ReadingsTap;
}): Promise<SimLink> {
  const tap = o.tap ?? new ReadingsTap();
  const ids = new Map<string, number>();
  const idOf = (key: string) => {
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
      tap.register(o.siteId, { [key]: id });
    }
    return id;
  };
  const sink = {
    async submit(batch: DeviceBatch) {
      tap.observe(batch.readings.map((r) => ({ seriesId: idOf(r.seriesKey), tsMs: r.tsMs, value: r.value, quality: r.quality })));
    },
  };
  const drivers: DeviceDriver[] = [];
  for (const [id, modelId, unitId] of [
    ['pv', 'sim-pv-inverter', 1],
    ['battery', 'sim-battery-inverter', 2],
  ] as const) {
    const model = loadDeviceModel(modelId);
    const config = parseDeviceConfig(
      {
        id,
        siteId: o.siteId,
        model: modelId,
        name: model.name,
        protocol: 'sunspec',
        connection: {
          host: o.host ?? '127.0.0.1',
          port: o.port,
          unitId,
          pollIntervalMs: o.pollIntervalMs,
          timeoutMs: 2_000,
          sunspecBase: 40_000,
        },
      },
      model,
    );
    if (!config.ok) throw new Error(`device ${id}: ${config.errors.join('; ')}`);
    const driver = new SunSpecDriver(config.value as Extract<typeof config.value, { protocol: 'sunspec' }>, model, sink, {
      now: o.now,
      log: { info: () => undefined, warn: () => undefined },
    });
    await driver.start();
    drivers.push(driver);
  }
  const meter = (tsMs: number, gridW: number) => tap.observe([{ seriesId: idOf('grid/power'), tsMs, value: gridW, quality: 'measured' }]);
  let client: mqtt.MqttClient | undefined;
  if (o.mqtt) {
    const topic = `${o.mqtt.prefix}/grid`;
    client = mqtt.connect(o.mqtt.url, { reconnectPeriod: 500, connectTimeout: 5_000 });
    client.on('error', () => undefined);
    client.on('connect', () => client!.subscribe(topic, { qos: 1 }));
    client.on('message', (t, payload) => {
      if (t !== topic) return;
      try {
        const m = JSON.parse(payload.toString()) as { ts: number; power: number };
        if (Number.isFinite(m.ts) && Number.isFinite(m.power)) meter(m.ts, m.power);
      } catch {
        // a malformed meter message is skipped; the next one counts
      }
    });
  }
  return {
    tap,
    devices: controlDevices(undefined, () => drivers),
    drivers,
    meter,
    async stop() {
      await Promise.all(drivers.map((d) => d.stop()));
      await client?.endAsync();
    },
  };
}
