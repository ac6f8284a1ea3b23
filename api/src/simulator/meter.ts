/**
 * The simulated main meter (grid connection point) and load meter, published over MQTT as a
 * meter gateway would: JSON with the simulated time, so an accelerated clock stamps readings
 * correctly. Topics (prefix configurable, default `luna-sim/<site>`):
 *
 *   <prefix>/grid  {"ts":1764230400000,"power":123456.7,"energy_import":4567.8,"energy_export":0}
 *   <prefix>/load  {"ts":1764230400000,"power":234567.8}
 *
 * power in W (import +, export −), energies in Wh since the simulator started (cumulative).
 * `meterMappings` gives the MQTT ingest mappings for these topics (api/src/ingest/mqtt/).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { SiteSimulator } from './site.js';

export interface MeterMessage {
  topic: string;
  payload: string;
}

/**
 * The messages for the current state (pure). Stamped with the start of the last physics step (its
 * powers hold from then on); the energy counters include that step. `tsMs` is used before any step.
 */
export function meterMessages(sim: SiteSimulator, prefix: string, tsMs: number): MeterMessage[] {
  const r = sim.last;
  tsMs = r?.startMs ?? tsMs;
  const round = (x: number) => Math.round(x * 10) / 10;
  return [
    {
      topic: `${prefix}/grid`,
      payload: JSON.stringify({
        ts: Math.round(tsMs),
        power: round(r?.gridW ?? 0),
        energy_import: round(sim.counters.gridImportWh),
        energy_export: round(sim.counters.gridExportWh),
      }),
    },
    { topic: `${prefix}/load`, payload: JSON.stringify({ ts: Math.round(tsMs), power: round(r?.loadW ?? 0) }) },
  ];
}

/** MQTT ingest mappings for the meter topics → series grid/power, grid/energy_import, grid/energy_export, load/power. */
export function meterMappings(prefix: string): unknown[] {
  return [
    {
      name: 'simulated main meter',
      topic: `${prefix}/grid`,
      format: 'json',
      series: [
        { path: 'power', seriesKey: 'grid/power', unit: 'W', timestampPath: 'ts' },
        { path: 'energy_import', seriesKey: 'grid/energy_import', unit: 'Wh', timestampPath: 'ts' },
        { path: 'energy_export', seriesKey: 'grid/energy_export', unit: 'Wh', timestampPath: 'ts' },
      ],
    },
    {
      name: 'simulated load meter',
      topic: `${prefix}/load`,
      format: 'json',
      series: [{ path: 'power', seriesKey: 'load/power', unit: 'W', timestampPath: 'ts' }],
    },
  ];
}

export interface MeterPublisher {
  /** resolves false (nothing sent) while not connected */
  publish(sim: SiteSimulator, tsMs: number): Promise<boolean>;
  /** messages handed to the broker (QoS 1 acknowledged) */
  readonly published: number;
  close(): Promise<void>;
}

/** Connects to the broker (reconnecting in the background); a publish while disconnected is dropped and counted. */
export function mqttMeter(o: { url: string; prefix: string; username?: string; password?: string; clientId?: string }): MeterPublisher {
  const client: MqttClient = mqtt.connect(o.url, {
    clientId: o.clientId ?? `luna-sim-meter-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 1_000,
    connectTimeout: 5_000,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
  });
  client.on('error', () => undefined);
  let published = 0;
  return {
    get published() {
      return published;
    },
    async publish(sim, tsMs) {
      if (!client.connected) return false;
      for (const m of meterMessages(sim, o.prefix, tsMs)) {
        await client.publishAsync(m.topic, m.payload, { qos: 1 });
        published++;
      }
      return true;
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
