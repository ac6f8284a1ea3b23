/**
 * A simulated SunSpec device behind the Modbus server: a register image ("SunS" at 40000, the
 * models in order, the end model) encoded with the official model definitions through the device
 * layer's `encodeImage` (api/src/devices/sunspec/image.ts), refreshed from the physics each step.
 *
 * Writes: only registers of points with access RW are writable (others → exception 02). A write is
 * applied to a copy of the image, the touched models are decoded, and the device's `control`
 * callback validates the new control values (throws ModbusException 03 for a bad value) and hands
 * them to the physics; only then is the write committed. The values of RW points live in the
 * device's control state, so the next refresh encodes them again.
 */
import { decodeModel, encodeImage, type GroupValues, type ModelInstance, type RegisterImage } from '../devices/sunspec/image.js';
import type { SunSpecModels } from '../devices/sunspec/models.js';
import { EXCEPTION, ModbusException } from './modbus/frame.js';
import type { ModbusUnit } from './modbus/server.js';

export const SUNSPEC_BASE = 40_000;

/** Engineering values of the RW points of one model, as decoded after a write. */
export type ControlValues = Record<string, number | string | null>;

export interface SunSpecDeviceSpec {
  /** the model blocks with their current values (read + control), in image order */
  instances(): ModelInstance[];
  /**
   * Called after a write with the decoded values of every model the write touched, by model id.
   * Throw ModbusException(ILLEGAL_DATA_VALUE) to refuse; otherwise take them over.
   */
  control(written: ReadonlyMap<number, ControlValues>): void;
}

export class SunSpecDevice implements ModbusUnit {
  private image: RegisterImage;
  private readonly writable: Set<number>;

  constructor(
    private readonly models: SunSpecModels,
    private readonly spec: SunSpecDeviceSpec,
    readonly baseAddress = SUNSPEC_BASE,
  ) {
    this.image = encodeImage(models, spec.instances(), baseAddress);
    this.writable = new Set();
    for (const entry of this.image.layout) {
      let at = entry.address;
      for (const p of models.get(entry.id)!.group.points ?? []) {
        if (p.access === 'RW') for (let i = 0; i < p.size; i++) this.writable.add(at + i);
        at += p.size;
      }
    }
  }

  /** the image's layout (model id, ID register address, length) */
  get layout(): RegisterImage['layout'] {
    return this.image.layout;
  }

  /** a copy of the current registers (tests) */
  get registers(): Uint16Array {
    return this.image.registers.slice();
  }

  /** Re-encodes the image from the current values (after a physics step). */
  refresh(): void {
    const next = encodeImage(this.models, this.spec.instances(), this.baseAddress);
    if (next.registers.length !== this.image.registers.length) throw new Error('simulated SunSpec image changed its size');
    this.image = next;
  }

  private check(address: number, count: number): void {
    const end = this.baseAddress + this.image.registers.length;
    if (address < this.baseAddress || address + count > end)
      throw new ModbusException(
        EXCEPTION.ILLEGAL_DATA_ADDRESS,
        `registers ${address}..${address + count - 1} are outside the SunSpec image ${this.baseAddress}..${end - 1}`,
      );
  }

  readHolding(address: number, count: number): Uint16Array {
    this.check(address, count);
    return this.image.registers.slice(address - this.baseAddress, address - this.baseAddress + count);
  }

  /** SunSpec lives in holding registers; input registers are not served (exception 02). */
  readInput(address: number, count: number): never {
    throw new ModbusException(EXCEPTION.ILLEGAL_DATA_ADDRESS, `no input registers (${address}+${count}); SunSpec uses holding registers`);
  }

  writeHolding(address: number, values: Uint16Array): void {
    this.check(address, values.length);
    for (let i = 0; i < values.length; i++)
      if (!this.writable.has(address + i))
        throw new ModbusException(EXCEPTION.ILLEGAL_DATA_ADDRESS, `register ${address + i} is not a writable (RW) SunSpec point`);
    const copy = this.image.registers.slice();
    copy.set(values, address - this.baseAddress);
    const touched = new Map<number, ControlValues>();
    for (const entry of this.image.layout) {
      const end = entry.address + 2 + entry.length;
      if (address >= end || address + values.length <= entry.address) continue;
      const decoded = decodeModel(this.models.get(entry.id)!, copy, entry.address - this.baseAddress);
      const out: ControlValues = {};
      for (const [name, p] of Object.entries(decoded.root.points)) out[name] = p.value;
      touched.set(entry.id, out);
    }
    this.spec.control(touched);
    this.image.registers.set(values, address - this.baseAddress);
  }
}

/** A value for an unsigned accumulator register of `bits` bits (wraps, as a real counter does). */
export function wrapCounter(value: number, bits: 16 | 32): number {
  const m = bits === 16 ? 0x1_0000 : 0x1_0000_0000;
  return ((Math.floor(value) % m) + m) % m;
}

/** Rounds to the resolution of a scale factor exponent (so the encoder never sees a fraction). */
export function atSf(value: number, sf: number): number {
  const step = 10 ** sf;
  return sf < 0 ? Math.round(value / step) / 10 ** -sf : Math.round(value / step) * step;
}

/** Clamps to a signed 16-bit range at a scale factor. */
export function int16At(value: number, sf: number): number {
  const max = 32_767 * 10 ** sf;
  return atSf(Math.max(-max, Math.min(max, value)), sf);
}

export function uint16At(value: number, sf: number): number {
  const max = 65_534 * 10 ** sf; // 65535 is the not-implemented marker
  return atSf(Math.max(0, Math.min(max, value)), sf);
}

export type { GroupValues };
