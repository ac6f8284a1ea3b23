/**
 * Grid operator control boxes (FNN Steuerbox-like) polled over Modbus TCP as a grid-signal input:
 * the configuration file (LUNA_CONTROL_BOXES) and the PURE translation of one poll's register
 * values into the signals the box asks for.
 *
 *   {"boxes":[{"siteId":"musterwerk","model":"fnn-steuerbox-modbus",
 *              "connection":{"host":"192.168.1.50","port":502,"unitId":1,"pollIntervalMs":1000},"holdS":900}]}
 *
 * The model (devices/models/<model>.json, a plain Modbus device model) must name its points
 * section14a_max_power, redispatch_max_pv_power, redispatch_max_export_power,
 * redispatch_target_grid_power (any subset); a not-implemented value means "no limit".
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { modbusConnectionSchema, type DeviceModel, type ModbusModel } from '../../devices/definition.js';
import { decodeRegisterValue, registerCount } from '../../devices/modbus/registers.js';
import { parseUnit } from '../../ingest/normalise.js';
import type { GridSignalKind } from '../model.js';

export const BOX_POINTS = {
  section14a_max_power: { kind: 'section14a-dimming', field: 'maxControllablePowerW' },
  redispatch_max_pv_power: { kind: 'redispatch-curtailment', field: 'maxPvPowerW' },
  redispatch_max_export_power: { kind: 'redispatch-curtailment', field: 'maxExportPowerW' },
  redispatch_target_grid_power: { kind: 'redispatch-activation', field: 'targetGridW' },
} as const satisfies Record<string, { kind: GridSignalKind; field: string }>;
type BoxPoint = keyof typeof BOX_POINTS;
type LimitField = (typeof BOX_POINTS)[BoxPoint]['field'];

const boxSchema = z.strictObject({
  siteId: z.string().min(1),
  /** unique per site; default `box` */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
    .default('box'),
  model: z.string().min(1).default('fnn-steuerbox-modbus'),
  connection: modbusConnectionSchema,
  /** a held level is kept this long after the last poll that confirmed it (the box unreachable → it ends then), s */
  holdS: z.number().int().min(10).max(86_400).default(900),
});
export type ControlBoxConfig = z.infer<typeof boxSchema>;

const fileSchema = z.strictObject({ boxes: z.array(z.unknown()).min(1) });

/** Reads and validates the file; throws ONE line naming the variable, the box index and the problem. */
export function loadControlBoxesFile(file: string, models: ReadonlyMap<string, DeviceModel>): ControlBoxConfig[] {
  const fail = (where: string, problem: string): never => {
    throw new Error(`LUNA_CONTROL_BOXES ${file}${where ? ` ${where}` : ''}: ${problem}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail('', `cannot be read as JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const top = fileSchema.safeParse(json);
  if (!top.success) return fail('', 'expected {"boxes":[{"siteId":"…","connection":{"host":"…"}}]}');
  const seen = new Set<string>();
  return top.data.boxes.map((raw, i) => {
    const r = boxSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      return fail(`box ${i}`, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const key = `${r.data.siteId}/${r.data.id}`;
    if (seen.has(key)) fail(`box ${i}`, `id: site ${r.data.siteId} has two boxes with id "${r.data.id}"`);
    seen.add(key);
    const problem = checkBoxModel(models.get(r.data.model), r.data.model);
    if (problem) fail(`box ${i}`, problem);
    return r.data;
  });
}

/** Undefined when the model can serve as a control box; else what is wrong. */
export function checkBoxModel(model: DeviceModel | undefined, id: string): string | undefined {
  if (!model) return `model: no device model "${id}" in devices/models/`;
  if (model.protocol !== 'modbus') return `model: "${id}" is ${model.protocol}; a control box needs a plain modbus model`;
  if (!model.points.some((p) => p.name in BOX_POINTS)) return `model: "${id}" has none of the points ${Object.keys(BOX_POINTS).join(', ')}`;
  return undefined;
}

/** What a poll found: per kind the limits asked for (absent kind = released), and points that could not be read. */
export interface BoxReading {
  wanted: Partial<Record<GridSignalKind, Partial<Record<LimitField, number>>>>;
  /** kinds whose value could not be read or was invalid: keep what is in force, do not release */
  broken: GridSignalKind[];
  errors: string[];
}

/** The registers to read: [table, start, count] per signal point. */
export function boxReads(model: ModbusModel): Array<{ table: 'holding' | 'input'; start: number; count: number; point: string }> {
  return model.points
    .filter((p) => p.name in BOX_POINTS)
    .map((p) => ({ table: p.source.table, start: p.source.address, count: registerCount(p.source.type, p.source.size), point: p.name }));
}

/**
 * Pure: register values per point name (as read) → the signals the box asks for. Values are
 * scaled and converted to W (the point's unit); a limit below 0 is an error and that kind is left
 * as it was (not released: an unreadable value must not lift a limit).
 */
export function decodeBox(model: ModbusModel, regs: ReadonlyMap<string, ArrayLike<number>>): BoxReading {
  const wanted: BoxReading['wanted'] = {};
  const errors: string[] = [];
  const broken = new Set<GridSignalKind>();
  for (const p of model.points) {
    if (!(p.name in BOX_POINTS)) continue;
    const { kind, field } = BOX_POINTS[p.name as BoxPoint];
    const words = regs.get(p.name);
    if (!words) {
      broken.add(kind);
      errors.push(`${p.name}: not read`);
      continue;
    }
    const v = decodeRegisterValue(p.source, words, 0);
    if (!v.ok) {
      broken.add(kind);
      errors.push(`${p.name}: ${v.reason}`);
      continue;
    }
    if (v.value === null) continue; // not implemented = no limit
    const factor = parseUnit(p.unit)?.factor ?? 1;
    const w = Number(v.value) * factor;
    if (!Number.isFinite(w) || (field !== 'targetGridW' && w < 0)) {
      broken.add(kind);
      errors.push(`${p.name}: ${w} W is not a valid limit (must be ≥ 0)`);
      continue;
    }
    (wanted[kind] ??= {})[field] = Number(w.toPrecision(12));
  }
  for (const k of broken) delete wanted[k];
  return { wanted, broken: [...broken], errors };
}
