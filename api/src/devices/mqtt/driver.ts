/**
 * MQTT devices from a definition: points map topics (plain numbers or JSON paths, optional device
 * timestamp) to series; setpoints publish to command topics with the QoS/retain of the device's
 * conventions. Payload parsing reuses the MQTT ingest helpers (ingest/mqtt/values.ts).
 *
 * Health: 'connecting' until the broker accepts us; 'online' while values arrive; 'degraded' when
 * the last message of a point could not be decoded; 'offline' when the broker is unreachable or
 * no message came for `staleAfterMs`.
 *
 * A setpoint whose target and revert-timeout go to the same JSON command topic is sent as ONE
 * message carrying both (`{"power_w": -3000, "revert_s": 60}`); otherwise the revert timeout is
 * published first.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { getPath, numberAt, parseJson, parseNumberText, resolveTimestamp } from '../../ingest/mqtt/values.js';
import { matchTopic } from '../../ingest/mqtt/topic.js';
import type { Rejection } from '../../ingest/model.js';
import type { DeviceConfig, MqttCommand, MqttConnection, MqttModel } from '../definition.js';
import {
  checkSetpointWrite,
  DeviceWriteError,
  type DeviceDriver,
  type DeviceHealth,
  type DeviceReading,
  type DeviceSink,
  type DriverDeps,
  type WriteOptions,
  type WriteOutcome,
} from '../driver.js';
import { HealthTracker, type HealthListener } from '../health.js';
import { pointReading } from '../values.js';

type MqttDevice = Extract<DeviceConfig, { protocol: 'mqtt' }>;

/** `{prefix}/power` → `site1/meter/power`; a topic without `{prefix}` is used as written. */
export function fillPrefix(topic: string, prefix: string): string {
  return topic.replaceAll('{prefix}', prefix).replace(/^\/+/, '');
}

/** Readings and rejections of one message for the points listening on `topic` — pure. */
export function decodeDeviceMessage(
  device: MqttDevice,
  model: MqttModel,
  topic: string,
  payload: string,
  receivedMs: number,
): { readings: DeviceReading[]; rejections: Rejection[] } {
  const prefix = device.connection.topicPrefix;
  const readings: DeviceReading[] = [];
  const rejections: Rejection[] = [];
  const reject = (point: string, reason: string) =>
    rejections.push({
      field: `${device.id}.${point}`,
      reason: `device ${device.id}, point ${point} (${topic}): ${reason}`,
      raw: payload.slice(0, 500),
    });
  let json: ReturnType<typeof parseJson> | undefined;
  for (const p of model.points) {
    const s = p.source;
    if (!matchTopic(fillPrefix(s.topic, prefix), topic)) continue;
    let value: number;
    let tsMs = receivedMs;
    if (s.format === 'number') {
      const n = parseNumberText(payload);
      if (!n.ok) {
        reject(p.name, `payload ${n.reason}`);
        continue;
      }
      if (n.value.unit !== undefined && n.value.unit !== p.unit) {
        reject(p.name, `payload unit "${n.value.unit}" is not the point's unit "${p.unit}"`);
        continue;
      }
      value = n.value.value;
    } else {
      json ??= parseJson(payload);
      if (!json.ok) {
        reject(p.name, json.reason);
        continue;
      }
      const v = getPath(json.value, s.path ?? '');
      if (!v.found) {
        reject(p.name, `${s.path} missing in payload`);
        continue;
      }
      if (v.value === null) continue; // the device says: no value
      const n = numberAt(v.value, s.path);
      if (!n.ok) {
        reject(p.name, n.reason);
        continue;
      }
      value = n.value.value;
      if (s.timestampPath) {
        const t = getPath(json.value, s.timestampPath);
        const ts = t.found
          ? resolveTimestamp(t.value, s.timestampPath, { receivedMs })
          : { ok: false as const, reason: `${s.timestampPath} missing in payload` };
        if (!ts.ok) {
          reject(p.name, ts.reason);
          continue;
        }
        tsMs = ts.value;
      }
    }
    const r = pointReading(device, p, s.scale !== undefined ? value * s.scale : value, tsMs, payload.slice(0, 200));
    if (r.ok) readings.push(r.reading);
    else rejections.push(r.rejection);
  }
  return { readings, rejections };
}

/** The messages for one setpoint value (pure): target and revert timeout, merged when they share a JSON topic. */
export function commandMessages(
  device: MqttDevice,
  sp: MqttModel['setpoints'][number],
  value: number,
  revertTimeoutS: number,
): Array<{ topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean }> {
  const prefix = device.connection.topicPrefix;
  const body = (c: MqttCommand, v: number): Record<string, unknown> => {
    const o: Record<string, unknown> = structuredClone(c.template ?? {});
    setPath(o, c.path ?? 'value', v);
    return o;
  };
  const msg = (c: MqttCommand, payload: string) => ({ topic: fillPrefix(c.topic, prefix), payload, qos: c.qos, retain: c.retain });
  const t = sp.target;
  const r = 'topic' in sp.revertTimeout ? sp.revertTimeout : undefined;
  if (r && r.topic === t.topic && r.format === 'json' && t.format === 'json') {
    const o = body(t, value);
    setPath(o, r.path ?? 'revert_s', revertTimeoutS);
    return [msg(t, JSON.stringify(o))];
  }
  const out = [];
  if (r) out.push(msg(r, r.format === 'json' ? JSON.stringify(body(r, revertTimeoutS)) : String(revertTimeoutS)));
  for (const b of sp.before ?? [])
    out.push(msg(b.target, b.target.format === 'json' ? JSON.stringify(body(b.target, b.value)) : String(b.value)));
  out.push(msg(t, t.format === 'json' ? JSON.stringify(body(t, value)) : String(value)));
  if (sp.enable)
    out.push(
      msg(
        sp.enable.target,
        sp.enable.target.format === 'json' ? JSON.stringify(body(sp.enable.target, sp.enable.value)) : String(sp.enable.value),
      ),
    );
  return out;
}

function setPath(o: Record<string, unknown>, path: string, v: unknown): void {
  const parts = path.split('.');
  let cur = o;
  for (const k of parts.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = v;
}

export class MqttDeviceDriver implements DeviceDriver {
  private client: MqttClient | undefined;
  private readonly tracker: HealthTracker;
  private readonly conn: MqttConnection;
  private readonly now: () => number;
  private staleTimer: NodeJS.Timeout | undefined;
  private lastMessageMs = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly config: MqttDevice,
    readonly model: MqttModel,
    private readonly sink: DeviceSink,
    private readonly deps: DriverDeps & { health?: HealthListener } = {},
  ) {
    this.conn = config.connection;
    this.now = deps.now ?? Date.now;
    this.tracker = new HealthTracker(config, this.now, deps.health);
  }

  private topics(): string[] {
    return [...new Set(this.model.points.map((p) => fillPrefix(p.source.topic, this.conn.topicPrefix)))];
  }

  async start(): Promise<void> {
    const url = this.conn.url ?? this.deps.mqttUrl;
    if (!url) {
      this.tracker.error('connection', 'no broker URL (set connection.url or run with LUNA_MQTT on)');
      this.tracker.setState('offline', 'no broker URL');
      return;
    }
    this.tracker.setState('connecting');
    const client = mqtt.connect(url, {
      clientId: `luna-device-${this.config.siteId}-${this.config.id}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
      ...(this.conn.username !== undefined ? { username: this.conn.username } : {}),
      ...(this.conn.password !== undefined ? { password: this.conn.password } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      client.subscribe(this.topics(), { qos: this.conn.qos }, (err) => {
        if (err) {
          this.tracker.error('protocol', `subscribe failed: ${err.message}`);
          this.tracker.setState('degraded', err.message);
        }
      });
      if (this.tracker.state === 'offline' || this.tracker.state === 'connecting')
        this.tracker.setState(this.lastMessageMs ? 'online' : 'connecting', 'broker connected');
    });
    client.on('error', (err) => this.tracker.error('connection', err.message));
    client.on('offline', () => this.tracker.setState('offline', 'broker unreachable'));
    client.on('close', () => {
      if (this.client === client && this.tracker.state !== 'stopped') this.tracker.setState('offline', 'broker connection closed');
    });
    client.on('message', (topic, payload) => {
      const receivedMs = this.now();
      this.lastMessageMs = receivedMs;
      const { readings, rejections } = decodeDeviceMessage(this.config, this.model, topic, payload.toString('utf8'), receivedMs);
      for (const r of rejections) this.tracker.error('decode', r.reason);
      const newest = readings.reduce((m, r) => Math.max(m, r.tsMs), 0);
      this.tracker.read(readings.length, newest || undefined);
      this.tracker.setState(rejections.length ? 'degraded' : 'online', rejections[0]?.reason);
      if (readings.length || rejections.length) {
        const batch = { deviceId: this.config.id, siteId: this.config.siteId, readings, rejections };
        this.pending = this.pending
          .then(() => this.sink.submit(batch))
          .catch((err: Error) => this.deps.log?.warn({ device: this.config.id, err: err.message }, 'device readings not stored'));
      }
    });
    this.staleTimer = setInterval(
      () => {
        if (this.tracker.state === 'online' || this.tracker.state === 'degraded') {
          if (this.now() - this.lastMessageMs > this.conn.staleAfterMs)
            this.tracker.setState('offline', `no message for ${Math.round((this.now() - this.lastMessageMs) / 1000)} s`);
        }
      },
      Math.min(this.conn.staleAfterMs, 5_000),
    );
    this.staleTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.staleTimer) clearInterval(this.staleTimer);
    const c = this.client;
    this.client = undefined;
    this.tracker.setState('stopped', 'stopped');
    if (c) await c.endAsync(true);
    await this.pending;
  }

  health(): DeviceHealth {
    return this.tracker.snapshot(this.model.id);
  }

  async write(name: string, value: number, options: WriteOptions): Promise<WriteOutcome> {
    const { sp, revertS: revert } = checkSetpointWrite(this.config.id, this.model.setpoints, name, value, options);
    const c = this.client;
    if (!c?.connected) throw new DeviceWriteError(`device ${this.config.id}: broker not connected`, 'not_connected');
    try {
      for (const m of commandMessages(this.config, sp, value, revert))
        await c.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain });
    } catch (err) {
      this.tracker.error('write', (err as Error).message);
      throw new DeviceWriteError(`device ${this.config.id}: publishing ${name} failed: ${(err as Error).message}`, 'refused');
    }
    return { setpoint: name, value, raw: value, revertTimeoutS: revert, atMs: this.now() };
  }
}
