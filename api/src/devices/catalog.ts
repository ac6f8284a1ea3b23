/**
 * The catalogue of device models: every `devices/models/*.json` validated with the definition
 * schema (errors name the file, the field path and the reason), SunSpec points checked against
 * the official SunSpec model definitions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDeviceModel, type DeviceModel, type SunSpecAddress } from './definition.js';
import { shippedSunSpecModels, type SunSpecModels } from './sunspec/models.js';
import { pointOffset } from './sunspec/driver.js';

export const DEVICE_MODELS_DIR = fileURLToPath(new URL('../../../devices/models/', import.meta.url));

/** Problems of SunSpec addresses: unknown model, point or group; writes to read-only points. */
export function checkSunSpecAddresses(model: DeviceModel, sunspec: SunSpecModels): string[] {
  if (model.protocol !== 'sunspec') return [];
  const errors: string[] = [];
  const check = (a: SunSpecAddress, where: string, write: boolean) => {
    const def = sunspec.get(a.model);
    if (!def) return errors.push(`${where}: SunSpec model ${a.model} is not shipped (devices/sunspec/)`);
    const group = a.group ? def.group.groups?.find((g) => g.name === a.group!.name) : def.group;
    if (!group) return errors.push(`${where}: model ${a.model} has no group "${a.group?.name}"`);
    const p = group.points?.find((x) => x.name === a.point);
    if (!p) return errors.push(`${where}: model ${a.model} has no point "${a.point}"${a.group ? ` in ${a.group.name}` : ''}`);
    if (write) {
      if (p.access !== 'RW') errors.push(`${where}: ${a.model}.${a.point} is read-only`);
      else if (!pointOffset(def, a)) errors.push(`${where}: ${a.model}.${a.point} cannot be located for writing`);
    }
    return undefined;
  };
  model.points.forEach((p, i) => check(p.source, `points.${i}.source`, false));
  model.setpoints.forEach((s, i) => {
    check(s.target, `setpoints.${i}.target`, true);
    if ('point' in s.revertTimeout) check(s.revertTimeout, `setpoints.${i}.revertTimeout`, true);
    if (s.enable) check(s.enable.target, `setpoints.${i}.enable.target`, true);
    (s.before ?? []).forEach((b, j) => check(b.target, `setpoints.${i}.before.${j}.target`, true));
  });
  return errors;
}

export interface CatalogResult {
  models: Map<string, DeviceModel>;
  /** `<file>: <path>: <reason>` */
  errors: string[];
}

/** Parses one definition (already read as JSON); `file` names it in errors. */
export function validateModelJson(
  json: unknown,
  file: string,
  sunspec: SunSpecModels = shippedSunSpecModels(),
): { model?: DeviceModel; errors: string[] } {
  const r = parseDeviceModel(json);
  if (!r.ok) return { errors: r.errors.map((e) => `${file}: ${e}`) };
  const errors = checkSunSpecAddresses(r.value, sunspec).map((e) => `${file}: ${e}`);
  const base = file.replace(/^.*\//, '').replace(/\.json$/, '');
  if (r.value.id !== base) errors.push(`${file}: id "${r.value.id}" must equal the file name "${base}"`);
  return errors.length ? { errors } : { model: r.value, errors };
}

/** Loads every model file of the folder; a bad file is reported and left out, the others load. */
export function loadDeviceModels(dir: string = DEVICE_MODELS_DIR): CatalogResult {
  const models = new Map<string, DeviceModel>();
  const errors: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      errors.push(`${file}: not valid JSON (${(err as Error).message})`);
      continue;
    }
    const r = validateModelJson(json, file);
    errors.push(...r.errors);
    if (r.model) models.set(r.model.id, r.model);
  }
  return { models, errors };
}
