/**
 * Plain Modbus register values — pure: sizes of data types, decoding with word order,
 * not-implemented markers and scaling, encoding for writes, and the read plan (points grouped
 * into few requests of at most N registers).
 */
import type { DataType, ModbusAddress } from '../definition.js';
import { applyScale, decodeRaw, encodePoint } from '../sunspec/image.js';
import type { SunSpecType } from '../sunspec/models.js';

export function registerCount(type: DataType, size?: number): number {
  switch (type) {
    case 'string':
      return size ?? 1;
    case 'int32':
    case 'uint32':
    case 'acc32':
    case 'float32':
    case 'enum32':
    case 'bitfield32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'acc64':
    case 'float64':
      return 4;
    default:
      return 1;
  }
}

/** Big-endian word order for the SunSpec decoder. */
function ordered(a: Pick<ModbusAddress, 'wordOrder'>, regs: ArrayLike<number>, at: number, n: number): number[] {
  const words = Array.from({ length: n }, (_, i) => regs[at + i]!);
  return a.wordOrder === 'little' ? words.reverse() : words;
}

export type RegisterValue =
  { ok: true; value: number | string | null; raw: number | bigint | string | null } | { ok: false; reason: string };

/**
 * Decodes a point at `regs[at]`. `sf` is the exponent read from the scale-factor register (when
 * the point has one): null = that register is not implemented. Value null = not implemented.
 */
export function decodeRegisterValue(a: ModbusAddress, regs: ArrayLike<number>, at: number, sf?: number | null): RegisterValue {
  const n = registerCount(a.type, a.size);
  const words = ordered(a, regs, at, n);
  const raw = decodeRaw({ type: a.type as SunSpecType, size: n }, words, 0);
  if (raw === null || typeof raw === 'string') return { ok: true, value: raw, raw };
  const num = Number(raw);
  if (a.notImplemented?.includes(num)) return { ok: true, value: null, raw: null };
  let value = a.scale !== undefined ? num * a.scale : num;
  if (a.scaleFactor !== undefined) {
    const exp = typeof a.scaleFactor === 'number' ? a.scaleFactor : sf;
    if (exp === null || exp === undefined)
      return {
        ok: false,
        reason: `scale factor register ${typeof a.scaleFactor === 'object' ? a.scaleFactor.address : ''} is not implemented`,
      };
    if (exp < -10 || exp > 10) return { ok: false, reason: `scale factor ${exp} is outside -10..10` };
    value = applyScale(value, exp);
  }
  return { ok: true, value: Number(value.toPrecision(15)), raw };
}

/** Registers for writing `raw` (an integer or float in register units) at a plain Modbus address. */
export function encodeRegisterValue(a: ModbusAddress, raw: number): Uint16Array {
  const n = registerCount(a.type, a.size);
  const out = new Uint16Array(n);
  encodePoint({ name: String(a.address), type: a.type as SunSpecType, size: n }, raw, out, 0);
  return a.wordOrder === 'little' ? out.reverse() : out;
}

/** engineering value → register value: ÷ scale, ÷ 10^sf; integer types are rounded. */
export function toRegisterUnits(a: ModbusAddress, value: number, sf: number | undefined): number {
  let v = value;
  if (sf !== undefined) v = sf < 0 ? v * 10 ** -sf : v / 10 ** sf;
  if (a.scale !== undefined) v = v / a.scale;
  return a.type === 'float32' || a.type === 'float64' ? v : Math.round(Number(v.toPrecision(12)));
}

export interface ReadBlock {
  table: 'holding' | 'input';
  start: number;
  count: number;
}

/** Groups register ranges into blocks of at most `maxCount`, bridging gaps of at most `maxGap` registers. */
export function planReads(
  ranges: ReadonlyArray<{ table: 'holding' | 'input'; start: number; count: number }>,
  maxCount: number,
  maxGap = 0,
): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  for (const table of ['holding', 'input'] as const) {
    const sorted = ranges.filter((r) => r.table === table).sort((a, b) => a.start - b.start);
    let cur: ReadBlock | undefined;
    for (const r of sorted) {
      const end = r.start + r.count;
      if (cur && r.start <= cur.start + cur.count + maxGap && end - cur.start <= maxCount) {
        cur.count = Math.max(cur.count, end - cur.start);
        continue;
      }
      if (cur) blocks.push(cur);
      cur = { table, start: r.start, count: r.count };
    }
    if (cur) blocks.push(cur);
  }
  return blocks;
}
