/**
 * The driver contract — one driver per protocol (modbus, sunspec, mqtt, opcua) reads a device
 * definition (./definition.ts), polls or subscribes, hands normalised readings to a DeviceSink
 * (./sink.ts: series keys → series ids → the ingest writer `app.writer`), writes setpoints with
 * a revert timeout, and reports its health (./health.ts).
 *
 * STABLE CONTRACT: the OPC UA driver (./opcua/) and the site simulator build on these types;
 * change additively only.
 */
import type { Quantity, Rejection, Semantics, Quality } from '../ingest/model.js';
import type { DeviceConfig, DeviceModel } from './definition.js';
import type { HealthListener } from './health.js';

/** One value read from a device, already in the canonical unit of its quantity. */
export interface DeviceReading {
  /** `<seriesPrefix>/<series ?? quantity>` (see seriesKeyOf) */
  seriesKey: string;
  quantity: Quantity;
  semantics: Semantics;
  /** the definition's point name (for health and logs) */
  point: string;
  tsMs: number;
  value: number;
  quality: Quality;
}

/** What one poll (or one batch of subscription messages) produced. Bad values are rejections, never readings. */
export interface DeviceBatch {
  deviceId: string;
  siteId: string;
  readings: DeviceReading[];
  rejections: Rejection[];
}

/** Where drivers hand their readings; resolves when they are durable (committed or in the disk buffer). */
export interface DeviceSink {
  submit(batch: DeviceBatch): Promise<void>;
}

/** Connection state: connecting (first connect or reconnecting), online, degraded (connected but
 * some reads fail: exception replies, decode errors, partial timeouts), offline (cannot reach or
 * no data for too long; retrying with backoff), stopped (by stop()). */
export const CONNECTION_STATES = ['connecting', 'online', 'degraded', 'offline', 'stopped'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** Kinds of errors counted per device. */
export const DEVICE_ERROR_KINDS = ['timeout', 'connection', 'exception', 'decode', 'write', 'protocol'] as const;
export type DeviceErrorKind = (typeof DEVICE_ERROR_KINDS)[number];

export interface DeviceError {
  kind: DeviceErrorKind;
  message: string;
  atMs: number;
  /** Modbus exception code (2 = illegal data address …), OPC UA status code name, … */
  code?: string | number;
}

export interface DeviceHealth {
  deviceId: string;
  siteId: string;
  protocol: DeviceConfig['protocol'];
  model: string;
  state: ConnectionState;
  /** when the state last changed (epoch ms) */
  sinceMs: number;
  /** time of the newest value accepted from the device */
  lastValueMs: number | null;
  /** successful polls / messages handled */
  reads: number;
  /** errors since start, by kind */
  errors: Record<DeviceErrorKind, number>;
  /** Modbus exception replies since start, by exception code */
  exceptions: Record<string, number>;
  lastError: DeviceError | null;
  /** protocol details worth showing (SunSpec models found, base address, subscriptions …) */
  detail?: Record<string, unknown>;
}

export interface WriteOptions {
  /** seconds after which the device reverts to its own behaviour unless the value is written again; required */
  revertTimeoutS: number;
}

export interface WriteOutcome {
  setpoint: string;
  /** the value as given (setpoint unit) */
  value: number;
  /** the raw value written to the target */
  raw: number;
  revertTimeoutS: number;
  atMs: number;
}

export interface DeviceDriver {
  readonly config: DeviceConfig;
  readonly model: DeviceModel;
  /** connects (in the background; never throws for an unreachable device) and starts polling/subscribing */
  start(): Promise<void>;
  /** stops polling and closes the connection; the state becomes 'stopped' */
  stop(): Promise<void>;
  /** one read of every point now (pollers); the batch also went to the sink */
  poll?(): Promise<DeviceBatch>;
  /**
   * Writes a setpoint within its [min, max], revert timeout first (clamped to the setpoint's
   * maxRevertTimeoutS), then the value, then the enable flag. Throws a DeviceWriteError with a
   * clear reason (unknown setpoint, out of limits, device refused, not connected).
   */
  write(setpoint: string, value: number, options: WriteOptions): Promise<WriteOutcome>;
  health(): DeviceHealth;
}

export class DeviceWriteError extends Error {
  constructor(
    message: string,
    readonly reason: 'unknown_setpoint' | 'out_of_range' | 'not_connected' | 'refused' | 'invalid_revert_timeout',
  ) {
    super(message);
  }
}

/**
 * The one limit check every driver runs before it writes: the setpoint exists, the value lies in
 * its [min, max], and the revert timeout is an integer 1..maxRevertTimeoutS. Throws a
 * DeviceWriteError naming what is wrong; returns the setpoint and the revert timeout to write.
 */
export function checkSetpointWrite<S extends { name: string; unit: string; min: number; max: number; maxRevertTimeoutS: number }>(
  deviceId: string,
  setpoints: readonly S[],
  name: string,
  value: number,
  options: WriteOptions,
): { sp: S; revertS: number } {
  const sp = setpoints.find((s) => s.name === name);
  if (!sp)
    throw new DeviceWriteError(
      `device ${deviceId} has no setpoint "${name}" (known: ${setpoints.map((s) => s.name).join(', ') || 'none'})`,
      'unknown_setpoint',
    );
  if (!Number.isFinite(value) || value < sp.min || value > sp.max)
    throw new DeviceWriteError(`${name} = ${value} ${sp.unit} is outside ${sp.min}..${sp.max} ${sp.unit}`, 'out_of_range');
  const revertS = options.revertTimeoutS;
  if (!Number.isInteger(revertS) || revertS < 1 || revertS > sp.maxRevertTimeoutS)
    throw new DeviceWriteError(
      `revert timeout ${revertS} s: an integer 1..${sp.maxRevertTimeoutS} s is required`,
      'invalid_revert_timeout',
    );
  return { sp, revertS };
}

/** Creates a driver for a device (see ./registry.ts for the protocol → factory table). */
export type DriverFactory = (config: DeviceConfig, model: DeviceModel, sink: DeviceSink, deps: DriverDeps) => DeviceDriver;

export interface DriverDeps {
  /** epoch ms; tests pass a fake clock */
  now?: () => number;
  log?: { info: (o: object, msg: string) => void; warn: (o: object, msg: string) => void };
  /** the service's broker URL for MQTT devices without their own */
  mqttUrl?: string;
  /** state changes, errors and reads for metrics (pass it to a HealthTracker) */
  health?: HealthListener;
}
