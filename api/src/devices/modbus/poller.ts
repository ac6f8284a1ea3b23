/**
 * The polling loop shared by the plain Modbus and the SunSpec driver: connect (with backoff),
 * prepare (SunSpec discovery), poll every `pollIntervalMs`, hand readings to the sink, keep the
 * device's health.
 *
 * States: 'connecting' until the first connect succeeds or fails; 'online' after a poll that read
 * every point; 'degraded' after a poll with exception replies or decode errors (the good points
 * are stored) or after a single timeout; 'offline' when connecting fails, the connection drops,
 * a frame is malformed, or two polls in a row time out — then the connection is closed and
 * re-opened with backoff, and discovery runs again. 'stopped' after stop().
 */
import type { Rejection } from '../../ingest/model.js';
import type { DeviceConfig, DeviceModel, DeviceSetpoint, ModbusConnection } from '../definition.js';
import {
  checkSetpointWrite,
  DeviceWriteError,
  type DeviceBatch,
  type DeviceDriver,
  type DeviceErrorKind,
  type DeviceHealth,
  type DeviceSink,
  type DriverDeps,
  type WriteOptions,
  type WriteOutcome,
} from '../driver.js';
import { backoffMs, HealthTracker, type HealthListener } from '../health.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusProtocolError, ModbusTcpClient, ModbusTimeoutError } from './client.js';

/** What one read of the device produced; problems are per block/point and do not stop the poll. */
export interface PollParts {
  batch: DeviceBatch;
  problems: Array<{ kind: DeviceErrorKind; message: string; code?: number }>;
}

export function errorKind(err: unknown): DeviceErrorKind {
  if (err instanceof ModbusTimeoutError) return 'timeout';
  if (err instanceof ModbusExceptionError) return 'exception';
  if (err instanceof ModbusProtocolError) return 'protocol';
  if (err instanceof ModbusConnectionError) return 'connection';
  return 'decode';
}

type ModbusDevice = Extract<DeviceConfig, { protocol: 'modbus' | 'sunspec' }>;

export abstract class PollingModbusDriver implements DeviceDriver {
  protected readonly client: ModbusTcpClient;
  protected readonly tracker: HealthTracker;
  protected readonly conn: ModbusConnection;
  protected readonly now: () => number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private prepared = false;
  private attempt = 0;
  private consecutiveTimeouts = 0;

  constructor(
    readonly config: ModbusDevice,
    readonly model: DeviceModel,
    protected readonly sink: DeviceSink,
    protected readonly deps: DriverDeps & { health?: HealthListener } = {},
  ) {
    this.conn = { ...config.connection };
    this.now = deps.now ?? Date.now;
    this.client = new ModbusTcpClient({
      host: this.conn.host,
      port: this.conn.port,
      unitId: this.conn.unitId,
      timeoutMs: this.conn.timeoutMs,
    });
    this.tracker = new HealthTracker(config, this.now, deps.health);
  }

  /** Discovery or other per-connection set-up; throws to mark the device offline. */
  protected abstract prepare(): Promise<void>;
  /** One read of every point. Throws on a whole-poll failure (timeout, connection, framing). */
  protected abstract readAll(tsMs: number): Promise<PollParts>;
  /** Register writes for one setpoint value: revert timeout first, then the value, then enable. Returns the raw value written. */
  protected abstract writeSetpoint(setpoint: DeviceSetpoint, value: number, revertTimeoutS: number): Promise<number>;

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.tracker.setState('connecting');
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.client.close();
    await this.loop;
    this.tracker.setState('stopped', 'stopped');
  }

  health(): DeviceHealth {
    return this.tracker.snapshot(this.model.id);
  }

  /** Connects if needed and reads once (tests, benchmarks); the batch also goes to the sink. */
  async poll(): Promise<DeviceBatch> {
    await this.ensureConnected();
    return this.pollOnce();
  }

  async write(name: string, value: number, options: WriteOptions): Promise<WriteOutcome> {
    const { sp, revertS: revert } = checkSetpointWrite(
      this.config.id,
      this.model.setpoints as ReadonlyArray<(typeof this.model.setpoints)[number]>,
      name,
      value,
      options,
    );
    // an offline device is not written to, even while a reconnect attempt has the socket open
    const state = this.tracker.state;
    if (state === 'offline' || state === 'connecting' || state === 'stopped' || !this.client.connected || !this.prepared)
      throw new DeviceWriteError(`device ${this.config.id} is ${state}, not connected`, 'not_connected');
    try {
      const raw = await this.writeSetpoint(sp, value, revert);
      return { setpoint: name, value, raw, revertTimeoutS: revert, atMs: this.now() };
    } catch (err) {
      if (err instanceof DeviceWriteError) throw err;
      const e = this.tracker.error(
        'write',
        `${name}: ${(err as Error).message}`,
        err instanceof ModbusExceptionError ? err.exceptionCode : undefined,
      );
      throw new DeviceWriteError(`device ${this.config.id} refused ${name} = ${value}: ${e.message}`, 'refused');
    }
  }

  private async ensureConnected(): Promise<void> {
    if (this.client.connected && this.prepared) return;
    this.prepared = false;
    await this.client.connect();
    await this.prepare();
    this.prepared = true;
  }

  private async pollOnce(): Promise<DeviceBatch> {
    const parts = await this.readAll(this.now());
    this.consecutiveTimeouts = 0;
    for (const p of parts.problems) this.tracker.error(p.kind, p.message, p.code);
    const newest = parts.batch.readings.reduce((m, r) => Math.max(m, r.tsMs), 0);
    this.tracker.read(parts.batch.readings.length, newest || undefined);
    const worst = parts.problems[0];
    this.tracker.setState(worst ? 'degraded' : 'online', worst?.message);
    if (parts.batch.readings.length || parts.batch.rejections.length) await this.sink.submit(parts.batch);
    return parts.batch;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.conn.pollIntervalMs;
      try {
        await this.ensureConnected();
        this.attempt = 0;
        await this.pollOnce();
      } catch (err) {
        if (!this.running) break;
        const kind = errorKind(err);
        const message = (err as Error).message;
        this.tracker.error(kind, message, err instanceof ModbusExceptionError ? err.exceptionCode : undefined);
        if (kind === 'timeout' && this.prepared && this.consecutiveTimeouts++ === 0) {
          // one slow answer: keep the connection, try again at the next poll
          this.tracker.setState('degraded', message);
        } else if (kind === 'exception' && this.prepared) {
          this.tracker.setState('degraded', message);
        } else {
          this.client.close();
          this.prepared = false;
          this.consecutiveTimeouts = 0;
          this.tracker.setState('offline', message);
          delay = backoffMs(this.attempt++, this.conn.reconnectMinMs, this.conn.reconnectMaxMs);
          // the service logs state changes; here only the first failure and every 10th retry
          if (this.attempt === 1 || this.attempt % 10 === 0)
            this.deps.log?.warn({ device: this.config.id, err: message, retryInMs: delay }, `device ${this.config.id} offline`);
        }
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delay);
      });
    }
  }

  /** A rejection for a point that could not be decoded (stored in quarantine by the sink, never as a reading). */
  protected rejection(point: string, reason: string, raw?: unknown): Rejection {
    return {
      field: `${this.config.id}.${point}`,
      reason: `device ${this.config.id}, point ${point}: ${reason}`,
      ...(raw !== undefined ? { raw: String(raw) } : {}),
    };
  }
}
