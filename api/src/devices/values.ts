/**
 * From a device value to a reading — pure: engineering value in the point's unit → canonical unit
 * of its quantity, semantics, limits; a value that cannot be trusted becomes a rejection naming
 * the device, the point and the reason, never a reading.
 */
import type { Rejection, Semantics } from '../ingest/model.js';
import { parseUnit } from '../ingest/normalise.js';
import { seriesKeyOf, type DeviceConfig, type DevicePoint } from './definition.js';
import type { DeviceReading } from './driver.js';

export type PointOutcome = { ok: true; reading: DeviceReading } | { ok: false; rejection: Rejection };

/** Removes binary noise of unit conversion (0.1 × 3 → 0.3). */
export function tidy(x: number): number {
  return Number(x.toPrecision(15));
}

export function semanticsOf(point: Pick<DevicePoint, 'semantics' | 'quantity'>): Semantics {
  return point.semantics ?? (point.quantity.startsWith('energy') ? 'cumulative' : 'instantaneous');
}

/**
 * `value` is in the point's unit (scaling already applied). Rejected: not finite, a negative
 * counter, outside the point's [min, max] (checked in the canonical unit).
 */
export function pointReading(
  device: Pick<DeviceConfig, 'id' | 'seriesPrefix'>,
  point: DevicePoint,
  value: number,
  tsMs: number,
  raw?: unknown,
): PointOutcome {
  const reject = (reason: string): PointOutcome => ({
    ok: false,
    rejection: {
      field: `${device.id}.${point.name}`,
      reason: `device ${device.id}, point ${point.name}: ${reason}`,
      ...(raw !== undefined ? { raw: String(raw).slice(0, 500) } : {}),
    },
  });
  if (!Number.isFinite(value)) return reject(`${String(value)} is not a finite number`);
  const unit = parseUnit(point.unit);
  if (!unit) return reject(`unknown unit "${point.unit}"`);
  const canonical = tidy(value * unit.factor);
  const semantics = semanticsOf(point);
  if (semantics === 'cumulative' && canonical < 0) return reject(`${canonical} ${unit.canonical}: a cumulative counter cannot be negative`);
  if (point.min !== undefined && canonical < point.min) return reject(`${canonical} ${unit.canonical} is below the limit ${point.min}`);
  if (point.max !== undefined && canonical > point.max) return reject(`${canonical} ${unit.canonical} is above the limit ${point.max}`);
  return {
    ok: true,
    reading: {
      seriesKey: seriesKeyOf(device, point),
      quantity: point.quantity,
      semantics,
      point: point.name,
      tsMs,
      value: canonical,
      quality: 'measured',
    },
  };
}
