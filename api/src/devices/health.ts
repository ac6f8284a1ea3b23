/**
 * Device health bookkeeping — pure state (the clock is passed in): connection state with the time
 * it changed, time of the last value, error counts by kind and Modbus exception code, the last
 * error. Drivers call `ok`/`fail`/`state`; /ready, /metrics and GET /sites/:siteId/devices read
 * `snapshot()`.
 */
import type { ConnectionState, DeviceError, DeviceErrorKind, DeviceHealth } from './driver.js';
import { DEVICE_ERROR_KINDS } from './driver.js';
import type { DeviceConfig } from './definition.js';

export interface HealthListener {
  onState?(device: DeviceConfig, from: ConnectionState, to: ConnectionState, reason: string | undefined): void;
  onError?(device: DeviceConfig, error: DeviceError): void;
  onRead?(device: DeviceConfig, readings: number): void;
}

export class HealthTracker {
  private current: ConnectionState = 'connecting';
  private sinceMs: number;
  private lastValueMs: number | null = null;
  private reads = 0;
  private readonly errors = Object.fromEntries(DEVICE_ERROR_KINDS.map((k) => [k, 0])) as Record<DeviceErrorKind, number>;
  private readonly exceptions: Record<string, number> = {};
  private lastError: DeviceError | null = null;
  detail: Record<string, unknown> = {};

  constructor(
    private readonly device: DeviceConfig,
    private readonly now: () => number = Date.now,
    private readonly listener: HealthListener = {},
  ) {
    this.sinceMs = now();
  }

  get state(): ConnectionState {
    return this.current;
  }

  setState(next: ConnectionState, reason?: string): void {
    if (next === this.current) return;
    const from = this.current;
    this.current = next;
    this.sinceMs = this.now();
    this.listener.onState?.(this.device, from, next, reason);
  }

  /** A successful read: `values` readings were accepted (0 is allowed: all not implemented). */
  read(values: number, newestMs?: number): void {
    this.reads++;
    if (values > 0) this.lastValueMs = Math.max(this.lastValueMs ?? 0, newestMs ?? this.now());
    this.listener.onRead?.(this.device, values);
  }

  error(kind: DeviceErrorKind, message: string, code?: string | number): DeviceError {
    const e: DeviceError = { kind, message, atMs: this.now(), ...(code !== undefined ? { code } : {}) };
    this.errors[kind]++;
    if (kind === 'exception' && code !== undefined) this.exceptions[String(code)] = (this.exceptions[String(code)] ?? 0) + 1;
    this.lastError = e;
    this.listener.onError?.(this.device, e);
    return e;
  }

  snapshot(model: string): DeviceHealth {
    return {
      deviceId: this.device.id,
      siteId: this.device.siteId,
      protocol: this.device.protocol,
      model,
      state: this.current,
      sinceMs: this.sinceMs,
      lastValueMs: this.lastValueMs,
      reads: this.reads,
      errors: { ...this.errors },
      exceptions: { ...this.exceptions },
      lastError: this.lastError,
      ...(Object.keys(this.detail).length ? { detail: { ...this.detail } } : {}),
    };
  }
}

/** Reconnect delay: doubling from min to max with ±20 % jitter (attempt 0 → about min). */
export function backoffMs(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + 0.4 * random()));
}
