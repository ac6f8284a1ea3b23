/**
 * SunSpec model definitions — the official JSON files (top-level `devices/sunspec/`, Apache-2.0,
 * see its README) as types, a loader (the only I/O here) and pure helpers on their layout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUNSPEC_MODELS_DIR = fileURLToPath(new URL('../../../../devices/sunspec/', import.meta.url));

export type SunSpecType =
  | 'int16'
  | 'uint16'
  | 'acc16'
  | 'enum16'
  | 'bitfield16'
  | 'sunssf'
  | 'count'
  | 'pad'
  | 'int32'
  | 'uint32'
  | 'acc32'
  | 'enum32'
  | 'bitfield32'
  | 'float32'
  | 'ipaddr'
  | 'int64'
  | 'uint64'
  | 'acc64'
  | 'float64'
  | 'ipv6addr'
  | 'eui48'
  | 'string';

export interface SunSpecPointDef {
  name: string;
  type: SunSpecType;
  /** registers */
  size: number;
  /** scale factor: the name of a sunssf point (this group or an enclosing one) or a literal exponent */
  sf?: string | number;
  units?: string;
  access?: 'R' | 'RW';
  mandatory?: 'M' | 'O';
  static?: 'S' | 'D';
  /** fixed value (ID) */
  value?: number | string;
  label?: string;
  desc?: string;
  symbols?: Array<{ name: string; value: number }>;
}

export interface SunSpecGroupDef {
  name: string;
  type: 'group' | 'sync';
  /** repetitions: a number (default 1; 0 = as many as the model length allows) or the name of a count point */
  count?: number | string;
  points?: SunSpecPointDef[];
  groups?: SunSpecGroupDef[];
  label?: string;
  desc?: string;
}

export interface SunSpecModelDef {
  id: number;
  group: SunSpecGroupDef;
  label?: string;
  desc?: string;
}

export type SunSpecModels = ReadonlyMap<number, SunSpecModelDef>;

/** Reads every `model_<id>.json` in the folder (default the shipped subset). */
export function loadSunSpecModels(dir: string = SUNSPEC_MODELS_DIR): Map<number, SunSpecModelDef> {
  const models = new Map<number, SunSpecModelDef>();
  for (const file of readdirSync(dir).filter((f) => /^model_\d+\.json$/.test(f))) {
    const def = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SunSpecModelDef;
    if (typeof def.id !== 'number' || !def.group?.points)
      throw new Error(`${file}: not a SunSpec model definition (id and group.points expected)`);
    models.set(def.id, def);
  }
  return models;
}

let cached: Map<number, SunSpecModelDef> | undefined;
/** The shipped models, loaded once. */
export function shippedSunSpecModels(): SunSpecModels {
  cached ??= loadSunSpecModels();
  return cached;
}

/** Registers of the points of a group (without its repeating sub-groups). */
export function pointsLength(group: SunSpecGroupDef): number {
  return (group.points ?? []).reduce((n, p) => n + p.size, 0);
}

/** The point definition by name in the top-level group or, with `group`, a direct sub-group. */
export function findPoint(def: SunSpecModelDef, point: string, group?: string): SunSpecPointDef | undefined {
  const g = group === undefined ? def.group : def.group.groups?.find((x) => x.name === group);
  return g?.points?.find((p) => p.name === point);
}
