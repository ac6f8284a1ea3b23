/**
 * SunSpec discovery over any register reader: find the "SunS" marker at the usual base addresses
 * (40000, 50000, 0 and their 1-based variants 40001, 50001, 1 — protocol addresses), then walk
 * the model chain (ID, L, skip L) until the end model 0xFFFF. A base that answers an exception
 * (illegal address) or other registers is skipped; a timeout or dropped connection aborts.
 */
import { SUNS_MARKER, END_MODEL_ID, decodeModel, type DecodedModel } from './image.js';
import type { SunSpecModels } from './models.js';

export const SUNSPEC_BASES = [40000, 40001, 50000, 50001, 0, 1] as const;
const MAX_MODELS = 100;

export interface RegisterReader {
  read(address: number, count: number): Promise<Uint16Array>;
}

export interface DiscoveredModel {
  id: number;
  /** address of the model's ID register */
  address: number;
  /** L */
  length: number;
  /** 0 for the first model with this id, 1 for the second … */
  instance: number;
  /** a definition is shipped, so the model can be decoded */
  known: boolean;
}

export interface Discovery {
  baseAddress: number;
  models: DiscoveredModel[];
}

export class SunSpecDiscoveryError extends Error {}

/** Is this an error that means "nothing here" (try the next base) rather than "device unreachable"? */
export type IsAbsent = (err: unknown) => boolean;

export async function discover(
  reader: RegisterReader,
  models: SunSpecModels,
  isAbsent: IsAbsent,
  bases: readonly number[] = SUNSPEC_BASES,
): Promise<Discovery> {
  const tried: string[] = [];
  for (const base of bases) {
    let marker: Uint16Array;
    try {
      marker = await reader.read(base, 2);
    } catch (err) {
      if (!isAbsent(err)) throw err;
      tried.push(`${base}: ${(err as Error).message}`);
      continue;
    }
    if (marker[0] !== SUNS_MARKER[0] || marker[1] !== SUNS_MARKER[1]) {
      tried.push(`${base}: 0x${hex(marker[0])} 0x${hex(marker[1])}`);
      continue;
    }
    return { baseAddress: base, models: await walk(reader, models, base) };
  }
  throw new SunSpecDiscoveryError(`no SunSpec marker "SunS" found (${tried.join('; ')})`);
}

async function walk(reader: RegisterReader, models: SunSpecModels, base: number): Promise<DiscoveredModel[]> {
  const found: DiscoveredModel[] = [];
  const seen = new Map<number, number>();
  let address = base + 2;
  for (let i = 0; i < MAX_MODELS; i++) {
    if (address + 2 > 0x10000) throw new SunSpecDiscoveryError(`model chain runs past address 65535 after ${found.length} model(s)`);
    const [id, length] = await reader.read(address, 2);
    if (id === undefined || length === undefined) throw new SunSpecDiscoveryError(`short read at ${address}`);
    if (id === END_MODEL_ID) return found;
    if (id === 0 && length === 0) return found; // some devices end the chain with zeros
    const instance = seen.get(id) ?? 0;
    seen.set(id, instance + 1);
    found.push({ id, address, length, instance, known: models.has(id) });
    address += 2 + length;
  }
  throw new SunSpecDiscoveryError(`more than ${MAX_MODELS} models: no end marker 0xFFFF found`);
}

/** Reads a whole model block (ID, L and L registers) in chunks of at most `maxPerRead`. */
export async function readModelBlock(
  reader: RegisterReader,
  m: Pick<DiscoveredModel, 'address' | 'length'>,
  maxPerRead: number,
): Promise<Uint16Array> {
  const total = m.length + 2;
  const out = new Uint16Array(total);
  for (let at = 0; at < total; at += maxPerRead) {
    const n = Math.min(maxPerRead, total - at);
    out.set(await reader.read(m.address + at, n), at);
  }
  return out;
}

/** Reads and decodes one discovered model. */
export async function readModel(
  reader: RegisterReader,
  models: SunSpecModels,
  m: DiscoveredModel,
  maxPerRead: number,
): Promise<DecodedModel> {
  const def = models.get(m.id);
  if (!def) throw new SunSpecDiscoveryError(`model ${m.id} has no shipped definition`);
  const regs = await readModelBlock(reader, m, maxPerRead);
  return decodeModel(def, regs, 0);
}

function hex(n: number | undefined): string {
  return (n ?? 0).toString(16).padStart(4, '0');
}
