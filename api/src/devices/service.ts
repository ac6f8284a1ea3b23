/**
 * The device service: the devices table (one row per device of a site), a running driver per
 * enabled device, their health for /ready, /metrics and the API, and setpoint writes.
 *
 * Devices come from the table (configured through the API) or are attached at run time without
 * being stored (`attach`, e.g. the demo site's simulated devices).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { IngestBus } from '../ingest/bus.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { loadDeviceModels } from './catalog.js';
import { CONNECTION_STATES, type DeviceDriver, type DeviceHealth, type WriteOutcome } from './driver.js';
import { DeviceWriteError } from './driver.js';
import { parseDeviceConfig, type DeviceConfig, type DeviceModel } from './definition.js';
import type { HealthListener } from './health.js';
import { createDriver } from './registry.js';
import { deviceWriterSink, type DeviceWriterSink } from './sink.js';

export interface DeviceServiceOptions {
  db: Database;
  bus: Pick<IngestBus, 'enqueue'>;
  log: Logger;
  registry?: Registry;
  /** broker for MQTT devices without their own URL */
  mqttUrl?: string;
  /** model catalogue (default: devices/models/*.json) */
  models?: Map<string, DeviceModel>;
  /** a device's connection state changed (the live API publishes it) */
  onStateChange?: (health: Pick<DeviceHealth, 'siteId' | 'deviceId' | 'state' | 'sinceMs' | 'lastValueMs'>) => void;
}

export interface DeviceEntry {
  config: DeviceConfig;
  /** false for devices attached at run time (not in the table) */
  stored: boolean;
  health: DeviceHealth;
}

export class DeviceConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('; '));
  }
}

const key = (siteId: string, id: string) => `${siteId}\u0000${id}`;

/** A copy without secrets (passwords) for API answers and logs. */
export function redact(config: DeviceConfig): DeviceConfig {
  const c = structuredClone(config) as DeviceConfig & { connection: Record<string, unknown> };
  if ('password' in c.connection && c.connection.password !== undefined) c.connection.password = '***';
  return c;
}

function idleHealth(config: DeviceConfig, state: DeviceHealth['state'], message?: string): DeviceHealth {
  return {
    deviceId: config.id,
    siteId: config.siteId,
    protocol: config.protocol,
    model: config.model,
    state,
    sinceMs: Date.now(),
    lastValueMs: null,
    reads: 0,
    errors: { timeout: 0, connection: 0, exception: 0, decode: 0, write: 0, protocol: 0 },
    exceptions: {},
    lastError: message ? { kind: 'protocol', message, atMs: Date.now() } : null,
  };
}

export class DeviceService {
  readonly models: Map<string, DeviceModel>;
  readonly modelErrors: string[];
  private readonly sink: DeviceWriterSink;
  private readonly entries = new Map<string, { config: DeviceConfig; stored: boolean; driver?: DeviceDriver; problem?: string }>();
  private readonly listener: HealthListener;

  constructor(private readonly o: DeviceServiceOptions) {
    if (o.models) {
      this.models = o.models;
      this.modelErrors = [];
    } else {
      const c = loadDeviceModels();
      this.models = c.models;
      this.modelErrors = c.errors;
      for (const e of c.errors) o.log.error(`device model left out: ${e}`);
    }
    this.sink = deviceWriterSink(o.db, o.bus, o.log.child({ component: 'devices' }));
    this.listener = this.metrics(o.registry);
  }

  /** Tells onStateChange; the tracker has already moved to `to` when its listener runs. */
  private stateChanged(d: DeviceConfig, to: DeviceHealth['state']): void {
    if (!this.o.onStateChange) return;
    const h = this.entries.get(key(d.siteId, d.id))?.driver?.health();
    this.o.onStateChange({
      siteId: d.siteId,
      deviceId: d.id,
      state: to,
      sinceMs: h?.sinceMs ?? Date.now(),
      lastValueMs: h?.lastValueMs ?? null,
    });
  }

  private metrics(registry: Registry | undefined): HealthListener {
    if (!registry) return { onState: (d, _from, to) => this.stateChanged(d, to) };
    const errors = new Counter({
      name: 'luna_device_errors_total',
      help: 'Device errors by kind (timeout, connection, exception, decode, write, protocol)',
      labelNames: ['site', 'device', 'kind'],
      registers: [registry],
    });
    const reads = new Counter({
      name: 'luna_device_reads_total',
      help: 'Successful device polls / handled messages',
      labelNames: ['site', 'device'],
      registers: [registry],
    });
    const entries = () => [...this.entries.values()];
    const health = (e: ReturnType<typeof entries>[number]) => e.driver?.health() ?? idleHealth(e.config, 'offline');
    new Gauge({
      name: 'luna_device_state',
      help: '1 for the current connection state of each device (connecting, online, degraded, offline, stopped)',
      labelNames: ['site', 'device', 'protocol', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const e of entries()) {
          const h = health(e);
          for (const s of CONNECTION_STATES)
            this.set({ site: h.siteId, device: h.deviceId, protocol: h.protocol, state: s }, s === h.state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'luna_device_last_value_timestamp_seconds',
      help: 'Time of the newest value accepted from each device (Unix seconds)',
      labelNames: ['site', 'device'],
      registers: [registry],
      collect() {
        this.reset();
        for (const e of entries()) {
          const h = health(e);
          if (h.lastValueMs !== null) this.set({ site: h.siteId, device: h.deviceId }, h.lastValueMs / 1000);
        }
      },
    });
    return {
      onError: (d, e) => errors.inc({ site: d.siteId, device: d.id, kind: e.kind }),
      onRead: (d) => reads.inc({ site: d.siteId, device: d.id }),
      onState: (d, from, to, reason) => {
        this.stateChanged(d, to);
        if (to === 'offline' || to === 'degraded')
          this.o.log.warn(
            { site: d.siteId, device: d.id, from, to, reason },
            `device ${d.siteId}/${d.id}: ${to}${reason ? ` (${reason})` : ''}`,
          );
        else if (to === 'online') this.o.log.info({ site: d.siteId, device: d.id, from }, `device ${d.siteId}/${d.id}: online`);
      },
    };
  }

  /** Loads the devices table and starts every enabled device. A device that cannot start is listed with its reason. */
  async start(): Promise<void> {
    const { rows } = await this.o.db.query<{ config: unknown }>('select config from devices order by site_id, id');
    for (const r of rows) {
      const config = typeof r.config === 'string' ? (JSON.parse(r.config) as unknown) : r.config;
      const parsed = parseDeviceConfig(config);
      if (!parsed.ok) {
        this.o.log.error({ errors: parsed.errors }, 'a stored device configuration is not valid any more; left out');
        continue;
      }
      await this.run(parsed.value, true);
    }
  }

  private validate(input: unknown): DeviceConfig {
    const first = parseDeviceConfig(input);
    if (!first.ok) throw new DeviceConfigError(first.errors);
    const model = this.models.get(first.value.model);
    if (!model)
      throw new DeviceConfigError([
        `model: "${first.value.model}" is not a known device model (known: ${[...this.models.keys()].join(', ')})`,
      ]);
    const checked = parseDeviceConfig(input, model);
    if (!checked.ok) throw new DeviceConfigError(checked.errors);
    return checked.value;
  }

  private async run(config: DeviceConfig, stored: boolean): Promise<void> {
    const k = key(config.siteId, config.id);
    await this.entries.get(k)?.driver?.stop();
    const entry: { config: DeviceConfig; stored: boolean; driver?: DeviceDriver; problem?: string } = { config, stored };
    this.entries.set(k, entry);
    if (!config.enabled) return;
    const model = this.models.get(config.model);
    if (!model) {
      entry.problem = `model "${config.model}" is not in the catalogue`;
      return;
    }
    try {
      entry.driver = await createDriver(config, model, this.sink, {
        log: this.o.log,
        health: this.listener,
        ...(this.o.mqttUrl ? { mqttUrl: this.o.mqttUrl } : {}),
      });
      await entry.driver.start();
    } catch (err) {
      entry.problem = (err as Error).message;
      this.o.log.error({ site: config.siteId, device: config.id, err: entry.problem }, `device ${config.siteId}/${config.id} not started`);
    }
  }

  /** Runs a device without storing it (demo site, tests). */
  async attach(input: unknown): Promise<DeviceConfig> {
    const config = this.validate(input);
    await this.run(config, false);
    return config;
  }

  /**
   * Lists a driver that its owner created and runs (e.g. the demo site's SunSpec drivers), so its
   * health shows in the API, /ready and /metrics. The owner starts and stops it; the service's
   * stop() stops it too (stopping twice is harmless).
   */
  adopt(driver: DeviceDriver): void {
    this.entries.set(key(driver.config.siteId, driver.config.id), { config: driver.config, stored: false, driver });
  }

  /** Creates or replaces a device in the table and (re)starts it. */
  async put(input: unknown): Promise<DeviceConfig> {
    const config = this.validate(input);
    await this.o.db.query(
      `insert into devices (site_id, id, model, protocol, enabled, config) values ($1, $2, $3, $4, $5, $6)
       on conflict (site_id, id) do update set model = excluded.model, protocol = excluded.protocol, enabled = excluded.enabled, config = excluded.config, updated_at = now()`,
      [config.siteId, config.id, config.model, config.protocol, config.enabled, JSON.stringify(config)],
    );
    await this.run(config, true);
    return config;
  }

  /** Stops and forgets a device; false when there was none. */
  async remove(siteId: string, id: string): Promise<boolean> {
    const k = key(siteId, id);
    const e = this.entries.get(k);
    await e?.driver?.stop();
    this.entries.delete(k);
    const r = await this.o.db.query('delete from devices where site_id = $1 and id = $2 returning id', [siteId, id]);
    return Boolean(e) || r.rows.length > 0;
  }

  list(siteId?: string): DeviceEntry[] {
    return [...this.entries.values()]
      .filter((e) => siteId === undefined || e.config.siteId === siteId)
      .map((e) => ({
        config: redact(e.config),
        stored: e.stored,
        health: e.driver?.health() ?? idleHealth(e.config, e.config.enabled ? 'offline' : 'stopped', e.problem),
      }));
  }

  get(siteId: string, id: string): DeviceEntry | undefined {
    return this.list(siteId).find((e) => e.config.id === id);
  }

  driver(siteId: string, id: string): DeviceDriver | undefined {
    return this.entries.get(key(siteId, id))?.driver;
  }

  async write(siteId: string, id: string, setpoint: string, value: number, revertTimeoutS?: number): Promise<WriteOutcome> {
    const d = this.driver(siteId, id);
    if (!d) throw new DeviceWriteError(`device ${siteId}/${id} is not running`, 'not_connected');
    const sp = d.model.setpoints.find((s) => s.name === setpoint);
    return d.write(setpoint, value, { revertTimeoutS: revertTimeoutS ?? sp?.defaultRevertTimeoutS ?? 300 });
  }

  /** One line for /ready and the startup log. */
  summary(): { total: number; byState: Record<string, number> } {
    const byState: Record<string, number> = {};
    const all = this.list();
    for (const e of all) byState[e.health.state] = (byState[e.health.state] ?? 0) + 1;
    return { total: all.length, byState };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.driver?.stop()));
    await this.sink.close();
  }
}
