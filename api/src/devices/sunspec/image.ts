/**
 * SunSpec register images — pure, no I/O.
 *
 * encodeImage: model definitions + point values (engineering units) → the holding registers of a
 * SunSpec device ("SunS", model blocks, end model 0xFFFF/0). Used by the tests' pymodbus peer and
 * by the site simulator's Modbus server.
 * decodeModel: the registers of one model block (starting at its ID register) → point values with
 * scale factors applied, not-implemented markers as `null`, signed types sign-extended.
 *
 * Values: numbers for numeric points (scaled points in engineering units: W=1234.5 with W_SF=-1
 * is stored as 12345), strings for `string`, `null` for "not implemented", scale-factor points
 * given as their exponent (W_SF: -1). A repeating group's values are an array of records.
 */
import {
  pointsLength,
  type SunSpecGroupDef,
  type SunSpecModelDef,
  type SunSpecModels,
  type SunSpecPointDef,
  type SunSpecType,
} from './models.js';

export const SUNS_MARKER = [0x5375, 0x6e53] as const; // "SunS"
export const END_MODEL_ID = 0xffff;

export type PointValue = number | string | null;
export interface GroupValues {
  [point: string]: PointValue | GroupValues[] | undefined;
}

export interface ModelInstance {
  id: number;
  values: GroupValues;
}

export interface ImageLayoutEntry {
  id: number;
  /** address of the model's ID register */
  address: number;
  /** L: registers after ID and L */
  length: number;
}

export interface RegisterImage {
  /** address of the "SunS" marker's first register */
  baseAddress: number;
  registers: Uint16Array;
  layout: ImageLayoutEntry[];
}

// ---- not-implemented markers ---------------------------------------------------------------------

const NI_16: Partial<Record<SunSpecType, number>> = {
  int16: 0x8000,
  uint16: 0xffff,
  acc16: 0,
  enum16: 0xffff,
  bitfield16: 0xffff,
  sunssf: 0x8000,
  pad: 0x8000,
};
const NI_32: Partial<Record<SunSpecType, number>> = {
  int32: 0x80000000,
  uint32: 0xffffffff,
  acc32: 0,
  enum32: 0xffffffff,
  bitfield32: 0xffffffff,
  ipaddr: 0,
  float32: 0x7fc00000,
};
const NI_64: Partial<Record<SunSpecType, bigint>> = {
  int64: 0x8000000000000000n,
  uint64: 0xffffffffffffffffn,
  acc64: 0n,
  float64: 0x7ff8000000000000n,
};

const SIGNED = new Set<SunSpecType>(['int16', 'sunssf', 'int32', 'int64']);

// ---- encoding ------------------------------------------------------------------------------------

export class ImageError extends Error {}

function pow10(sf: number): number {
  return 10 ** sf;
}

/** engineering value → raw integer using the exponent, without binary noise (12.3 / 0.1 → 123). */
function toRaw(value: number, sf: number): number {
  return sf < 0 ? Math.round(value * pow10(-sf)) : Math.round(value / pow10(sf));
}

/** raw integer → engineering value (123, -1 → 12.3; division keeps it exact where 123 × 0.1 would not). */
export function applyScale(raw: number, sf: number): number {
  return sf < 0 ? raw / pow10(-sf) : raw * pow10(sf);
}

function rangeOf(type: SunSpecType): [bigint, bigint] | undefined {
  switch (type) {
    case 'int16':
    case 'sunssf':
      return [-0x8000n, 0x7fffn];
    case 'uint16':
    case 'acc16':
    case 'enum16':
    case 'bitfield16':
    case 'count':
    case 'pad':
      return [0n, 0xffffn];
    case 'int32':
      return [-0x80000000n, 0x7fffffffn];
    case 'uint32':
    case 'acc32':
    case 'enum32':
    case 'bitfield32':
    case 'ipaddr':
      return [0n, 0xffffffffn];
    case 'int64':
      return [-(1n << 63n), (1n << 63n) - 1n];
    case 'uint64':
    case 'acc64':
      return [0n, (1n << 64n) - 1n];
    default:
      return undefined;
  }
}

/** Writes one point's registers at `at` (raw value: integer, float or string). */
export function encodePoint(
  p: Pick<SunSpecPointDef, 'name' | 'type' | 'size'>,
  raw: number | string | null,
  out: Uint16Array,
  at: number,
): void {
  const where = `point ${p.name} (${p.type})`;
  if (p.type === 'string') {
    if (raw !== null && typeof raw !== 'string') throw new ImageError(`${where}: expected a string`);
    const bytes = Buffer.from(raw ?? '', 'utf8');
    if (bytes.length > p.size * 2) throw new ImageError(`${where}: "${raw}" is longer than ${p.size * 2} bytes`);
    for (let i = 0; i < p.size; i++) out[at + i] = ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0);
    return;
  }
  if (typeof raw === 'string') throw new ImageError(`${where}: expected a number, got "${raw}"`);
  if (p.type === 'float32' || p.type === 'float64') {
    const buf = Buffer.alloc(p.size * 2);
    if (p.type === 'float32') buf.writeFloatBE(raw ?? Number.NaN);
    else buf.writeDoubleBE(raw ?? Number.NaN);
    for (let i = 0; i < p.size; i++) out[at + i] = buf.readUInt16BE(2 * i);
    return;
  }
  let v: bigint;
  if (raw === null) {
    const ni = p.size === 1 ? NI_16[p.type] : p.size === 2 ? NI_32[p.type] : NI_64[p.type];
    if (ni === undefined) v = 0n;
    else v = BigInt(ni);
  } else {
    if (!Number.isInteger(raw)) throw new ImageError(`${where}: ${raw} is not an integer after scaling`);
    v = BigInt(raw);
    const range = rangeOf(p.type);
    if (range && (v < range[0] || v > range[1])) throw new ImageError(`${where}: ${raw} is outside ${range[0]}..${range[1]}`);
    if (v < 0n) v += 1n << BigInt(16 * p.size);
  }
  for (let i = p.size - 1; i >= 0; i--) {
    out[at + i] = Number(v & 0xffffn);
    v >>= 16n;
  }
}

interface Scope {
  values: GroupValues;
  group: SunSpecGroupDef;
  parent: Scope | undefined;
}

function lookup(scope: Scope | undefined, name: string): { value: PointValue | GroupValues[] | undefined; found: boolean } {
  for (let s = scope; s; s = s.parent) {
    if (s.group.points?.some((p) => p.name === name)) return { value: s.values[name], found: true };
  }
  return { value: undefined, found: false };
}

function repeatCount(g: SunSpecGroupDef, scope: Scope, given: GroupValues[] | undefined): number {
  if (g.count === undefined) return 1;
  if (typeof g.count === 'number') return g.count === 0 ? (given?.length ?? 0) : g.count;
  const c = lookup(scope, g.count);
  if (typeof c.value === 'number') return c.value;
  return given?.length ?? 0;
}

function encodeGroup(g: SunSpecGroupDef, values: GroupValues, parent: Scope | undefined, out: number[], modelId: number): void {
  const scope: Scope = { values, group: g, parent };
  for (const p of g.points ?? []) {
    const start = out.length;
    for (let i = 0; i < p.size; i++) out.push(0);
    const buf = new Uint16Array(p.size);
    let v = values[p.name];
    if (Array.isArray(v)) throw new ImageError(`model ${modelId} ${p.name}: expected a value, got a list`);
    if (p.name === 'ID' && parent === undefined) v = modelId;
    if (p.type === 'count' && v === undefined) {
      const sub = g.groups?.find((x) => x.count === p.name);
      v = sub ? (Array.isArray(values[sub.name]) ? (values[sub.name] as GroupValues[]).length : 0) : 0;
    }
    if (p.type === 'sunssf' && v === undefined) v = 0;
    v ??= null;
    let raw: number | string | null = v;
    if (typeof v === 'number' && p.sf !== undefined) {
      const sf = typeof p.sf === 'number' ? p.sf : lookup(scope, p.sf).value;
      if (sf === null)
        throw new ImageError(`model ${modelId} ${p.name}: its scale factor ${String(p.sf)} is not implemented, so it cannot hold ${v}`);
      raw = toRaw(v, typeof sf === 'number' ? sf : 0);
    }
    try {
      encodePoint(p, raw, buf, 0);
    } catch (err) {
      throw new ImageError(`model ${modelId}: ${(err as Error).message}`);
    }
    for (let i = 0; i < p.size; i++) out[start + i] = buf[i]!;
  }
  for (const sub of g.groups ?? []) {
    const given = values[sub.name];
    if (given !== undefined && !Array.isArray(given)) throw new ImageError(`model ${modelId} ${sub.name}: expected a list of group values`);
    const n = repeatCount(sub, scope, given);
    for (let i = 0; i < n; i++) encodeGroup(sub, given?.[i] ?? {}, scope, out, modelId);
  }
}

/** Registers of one model block, ID and L included. */
export function encodeModel(def: SunSpecModelDef, values: GroupValues): Uint16Array {
  const out: number[] = [];
  encodeGroup(def.group, values, undefined, out, def.id);
  out[1] = out.length - 2;
  return Uint16Array.from(out);
}

/** A whole device image: "SunS" at baseAddress, the models in order, then the end model. */
export function encodeImage(models: SunSpecModels, instances: readonly ModelInstance[], baseAddress = 40000): RegisterImage {
  const blocks: Uint16Array[] = [];
  const layout: ImageLayoutEntry[] = [];
  let address = baseAddress + 2;
  for (const inst of instances) {
    const def = models.get(inst.id);
    if (!def) throw new ImageError(`model ${inst.id}: no definition loaded`);
    const block = encodeModel(def, inst.values);
    blocks.push(block);
    layout.push({ id: inst.id, address, length: block.length - 2 });
    address += block.length;
  }
  const total = 2 + blocks.reduce((n, b) => n + b.length, 0) + 2;
  if (baseAddress + total > 0x10000) throw new ImageError(`the image (${total} registers) does not fit above address ${baseAddress}`);
  const registers = new Uint16Array(total);
  registers[0] = SUNS_MARKER[0];
  registers[1] = SUNS_MARKER[1];
  let at = 2;
  for (const b of blocks) {
    registers.set(b, at);
    at += b.length;
  }
  registers[at] = END_MODEL_ID;
  registers[at + 1] = 0;
  return { baseAddress, registers, layout };
}

// ---- decoding ------------------------------------------------------------------------------------

export interface DecodedPoint {
  name: string;
  type: SunSpecType;
  /** the raw register value (bigint for 64-bit integers), null when not implemented */
  raw: number | bigint | string | null;
  /** engineering value with the scale factor applied; null when the point or its scale factor is not implemented */
  value: number | string | null;
  units?: string;
  /** the exponent used, when the point has a scale factor */
  sf?: number | null;
  /** why the value is null although the register was implemented (bad scale factor …) */
  problem?: string;
}

export interface DecodedGroup {
  name: string;
  points: Record<string, DecodedPoint>;
  groups: Record<string, DecodedGroup[]>;
}

export interface DecodedModel {
  id: number;
  /** L as read */
  length: number;
  root: DecodedGroup;
  /** layout problems (length shorter than the definition, count beyond the block) */
  problems: string[];
}

/** One point's raw value from registers; null when it carries the not-implemented marker. */
export function decodeRaw(p: Pick<SunSpecPointDef, 'type' | 'size'>, regs: ArrayLike<number>, at: number): number | bigint | string | null {
  if (p.type === 'string') {
    const bytes: number[] = [];
    for (let i = 0; i < p.size; i++) bytes.push((regs[at + i]! >> 8) & 0xff, regs[at + i]! & 0xff);
    const end = bytes.indexOf(0);
    const text = Buffer.from(end < 0 ? bytes : bytes.slice(0, end)).toString('utf8');
    return text === '' ? null : text;
  }
  if (p.type === 'float32' || p.type === 'float64') {
    const buf = Buffer.alloc(p.size * 2);
    for (let i = 0; i < p.size; i++) buf.writeUInt16BE(regs[at + i]! & 0xffff, 2 * i);
    const f = p.type === 'float32' ? buf.readFloatBE(0) : buf.readDoubleBE(0);
    return Number.isNaN(f) ? null : f;
  }
  if (p.type === 'ipv6addr' || p.type === 'eui48') {
    const parts: string[] = [];
    for (let i = 0; i < p.size; i++) parts.push((regs[at + i]! & 0xffff).toString(16).padStart(4, '0'));
    return parts.every((x) => x === '0000') ? null : parts.join(':');
  }
  let v = 0n;
  for (let i = 0; i < p.size; i++) v = (v << 16n) | BigInt(regs[at + i]! & 0xffff);
  const ni = p.size === 1 ? NI_16[p.type] : p.size === 2 ? NI_32[p.type] : NI_64[p.type];
  if (ni !== undefined && v === BigInt(ni) && p.type !== 'pad') return null;
  if (SIGNED.has(p.type) && v >= 1n << BigInt(16 * p.size - 1)) v -= 1n << BigInt(16 * p.size);
  return p.size <= 2 ? Number(v) : v;
}

interface DecodeScope {
  decoded: DecodedGroup;
  group: SunSpecGroupDef;
  parent: DecodeScope | undefined;
}

function lookupDecoded(scope: DecodeScope | undefined, name: string): DecodedPoint | undefined {
  for (let s = scope; s; s = s.parent) {
    const p = s.decoded.points[name];
    if (p) return p;
  }
  return undefined;
}

/** Registers the group occupies with these counts (nested groups whose count is a point are resolved from decoded values). */
function fixedGroupLength(g: SunSpecGroupDef): number {
  return (
    (g.points ?? []).reduce((n, p) => n + p.size, 0) +
    (g.groups ?? []).reduce((n, s) => n + (typeof s.count === 'number' && s.count > 0 ? s.count : 1) * fixedGroupLength(s), 0)
  );
}

function decodeGroup(
  g: SunSpecGroupDef,
  regs: ArrayLike<number>,
  at: number,
  end: number,
  parent: DecodeScope | undefined,
  problems: string[],
  path: string,
): { group: DecodedGroup; next: number } {
  const decoded: DecodedGroup = { name: g.name, points: {}, groups: {} };
  const scope: DecodeScope = { decoded, group: g, parent };
  let pos = at;
  for (const p of g.points ?? []) {
    if (pos + p.size > end) {
      problems.push(`${path}${p.name}: beyond the model length`);
      return { group: decoded, next: end };
    }
    const raw = decodeRaw(p, regs, pos);
    decoded.points[p.name] = {
      name: p.name,
      type: p.type,
      raw,
      value: typeof raw === 'bigint' ? Number(raw) : raw,
      ...(p.units ? { units: p.units } : {}),
    };
    pos += p.size;
  }
  // scale factors may come after the points they scale: apply them once the group is read
  for (const p of g.points ?? []) {
    const d = decoded.points[p.name];
    if (!d || p.sf === undefined) continue;
    let sf: number | null;
    if (typeof p.sf === 'number') sf = p.sf;
    else {
      const sfPoint = lookupDecoded(scope, p.sf);
      sf = sfPoint === undefined ? null : typeof sfPoint.raw === 'number' ? sfPoint.raw : null;
      if (sfPoint === undefined) d.problem = `scale factor ${p.sf} not found`;
    }
    d.sf = sf;
    if (d.raw === null || typeof d.raw === 'string') continue;
    if (sf === null || sf < -10 || sf > 10) {
      d.value = null;
      d.problem ??=
        sf === null ? `scale factor ${String(p.sf)} not implemented` : `scale factor ${String(p.sf)} = ${sf} is outside -10..10`;
      continue;
    }
    d.value = applyScale(Number(d.raw), sf);
  }
  for (const sub of g.groups ?? []) {
    let n: number;
    if (sub.count === undefined) n = 1;
    else if (typeof sub.count === 'number') n = sub.count === 0 ? Math.floor((end - pos) / Math.max(1, fixedGroupLength(sub))) : sub.count;
    else {
      const c = lookupDecoded(scope, sub.count);
      n = typeof c?.raw === 'number' ? c.raw : 0;
    }
    const list: DecodedGroup[] = [];
    for (let i = 0; i < n && pos < end; i++) {
      const r = decodeGroup(sub, regs, pos, end, scope, problems, `${path}${sub.name}[${i}].`);
      list.push(r.group);
      pos = r.next;
    }
    if (list.length < n) problems.push(`${path}${sub.name}: ${n} expected, ${list.length} fit in the model length`);
    decoded.groups[sub.name] = list;
  }
  return { group: decoded, next: pos };
}

/** Decodes a model block; `regs[at]` is its ID register, `regs[at + 1]` its length L. */
export function decodeModel(def: SunSpecModelDef, regs: ArrayLike<number>, at = 0): DecodedModel {
  const length = regs[at + 1] ?? 0;
  const end = Math.min(regs.length, at + 2 + length);
  const problems: string[] = [];
  if (regs[at] !== def.id) problems.push(`model id register is ${regs[at]}, expected ${def.id}`);
  const fixed = pointsLength(def.group);
  if (length + 2 < fixed) problems.push(`length ${length} is shorter than the ${fixed - 2} registers of model ${def.id}'s fixed points`);
  const { group } = decodeGroup(def.group, regs, at, end, undefined, problems, '');
  return { id: def.id, length, root: group, problems };
}
