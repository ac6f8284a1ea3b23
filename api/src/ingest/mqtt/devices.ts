/**
 * Built-in decoders for the wire formats of three device families — pure. Each knows its units,
 * so no unit is configured: the readings come out in canonical units (W, Wh, V, A, Hz, var, °C).
 * Series keys are `<prefix>/<suffix>`, the prefix from the mapping's template, the suffix below.
 *
 * Timestamps (none of these formats carries a reliable UTC instant by default):
 *  - Tasmota `Time` is the device's LOCAL wall-clock time without offset. With `timeZone` set on
 *    the mapping it is converted (autumn's repeated hour: the instant nearer receive time); with
 *    SetOption52 on the device it carries an offset and is used as is; otherwise the receive time
 *    is used (Tasmota's zone setting and DST rules are not known here, so guessing is worse).
 *  - Shelly Gen2 status has no sample time: receive time. When the message is stale (its
 *    `aenergy.minute_ts` is more than 3 minutes before receipt, e.g. queued by the broker while
 *    we were away) the reading is stamped at minute_ts + 60 s with quality 'estimated'.
 *  - Shelly Gen1 and OpenDTU publish one plain number per topic: receive time.
 */
import type { Quality } from '../model.js';
import { getPath, numberAt, parseJson, resolveTimestamp, show, tidy, type MessageResult } from './values.js';

export interface DeviceContext {
  result: MessageResult;
  topic: string;
  /** filled series-key prefix, without trailing slash */
  prefix: string;
  payload: string;
  receivedMs: number;
  timeZone?: string | undefined;
}

interface FieldRule {
  /** field name in the payload (or topic level for plain-number formats) */
  field: string;
  suffix: string;
  /** multiply the device value by this for the canonical unit */
  factor: number;
  /** a meter register: may not be negative */
  counter?: boolean;
  unitNote: string;
}

function emitNumber(
  ctx: DeviceContext,
  rule: FieldRule,
  raw: unknown,
  where: string | undefined,
  key: string,
  tsMs: number,
  quality: Quality = 'measured',
): void {
  const n = numberAt(raw, where);
  if (!n.ok) return ctx.result.reject(n.reason);
  if (n.value.unit !== undefined)
    return ctx.result.reject(
      `${where === undefined ? 'payload ' : ''}${show(raw)}${where === undefined ? '' : ` at ${where}`}: expected a plain number in ${rule.unitNote}`,
    );
  if (rule.counter && n.value.value < 0)
    return ctx.result.reject(`${where ?? 'payload'} is ${n.value.value} ${rule.unitNote}: an energy counter cannot be negative`);
  ctx.result.add(key, tsMs, tidy(n.value.value * rule.factor), quality);
}

// ---- Tasmota: tele/<device>/SENSOR (and stat/<device>/STATUS10 with StatusSNS) ------------------

const TASMOTA_ENERGY: readonly FieldRule[] = [
  { field: 'Total', suffix: 'energy_import', factor: 1000, counter: true, unitNote: 'kWh' },
  { field: 'ExportActive', suffix: 'energy_export', factor: 1000, counter: true, unitNote: 'kWh' },
  { field: 'Power', suffix: 'active_power', factor: 1, unitNote: 'W' },
  { field: 'ReactivePower', suffix: 'reactive_power', factor: 1, unitNote: 'var' },
  { field: 'Voltage', suffix: 'voltage', factor: 1, unitNote: 'V' },
  { field: 'Current', suffix: 'current', factor: 1, unitNote: 'A' },
  { field: 'Frequency', suffix: 'frequency', factor: 1, unitNote: 'Hz' },
  // Not mapped: Today/Yesterday (daily counters derivable from Total; Yesterday is not a value
  // at this time), ApparentPower (VA) and Factor (no canonical quantity), TotalStartTime.
];

/**
 * `{"Time":"2025-06-14T12:00:00","ENERGY":{"Total":123.456,"Power":230,…}}`. Multi-channel
 * devices send arrays (`"Power":[12,34]`): element i goes to `<prefix>/<i+1>/<suffix>`
 * (Tasmota numbers channels from 1).
 */
export function decodeTasmota(ctx: DeviceContext): void {
  const json = parseJson(ctx.payload);
  if (!json.ok) return ctx.result.reject(json.reason);
  let root = json.value;
  const sns = getPath(root, 'StatusSNS');
  if (sns.found) root = sns.value;
  const energy = getPath(root, 'ENERGY');
  if (!energy.found || energy.value === null || typeof energy.value !== 'object' || Array.isArray(energy.value))
    return ctx.result.reject('ENERGY missing in payload (not a Tasmota energy-monitoring SENSOR message)');

  let tsMs = ctx.receivedMs;
  const time = getPath(root, 'Time');
  if (time.found && (ctx.timeZone || (typeof time.value === 'string' && /(Z|[+-]\d{2}:?\d{2})$/.test(time.value)))) {
    const ts = resolveTimestamp(time.value, 'Time', { receivedMs: ctx.receivedMs, timeZone: ctx.timeZone });
    if (!ts.ok) return ctx.result.reject(ts.reason);
    tsMs = ts.value;
  }

  for (const rule of TASMOTA_ENERGY) {
    const v = getPath(energy.value, rule.field);
    if (!v.found) continue;
    const where = `ENERGY.${rule.field}`;
    if (Array.isArray(v.value)) {
      v.value.forEach((el, i) => emitNumber(ctx, rule, el, `${where}.${i}`, `${ctx.prefix}/${i + 1}/${rule.suffix}`, tsMs));
    } else {
      emitNumber(ctx, rule, v.value, where, `${ctx.prefix}/${rule.suffix}`, tsMs);
    }
  }
}

// ---- Shelly: Gen2 JSON status and Gen1 plain numbers ------------------------------------------

const SHELLY_GEN2: readonly (FieldRule & { path: string })[] = [
  { path: 'apower', field: 'apower', suffix: 'active_power', factor: 1, unitNote: 'W' },
  { path: 'voltage', field: 'voltage', suffix: 'voltage', factor: 1, unitNote: 'V' },
  { path: 'current', field: 'current', suffix: 'current', factor: 1, unitNote: 'A' },
  { path: 'freq', field: 'freq', suffix: 'frequency', factor: 1, unitNote: 'Hz' },
  { path: 'aenergy.total', field: 'aenergy', suffix: 'energy_import', factor: 1, counter: true, unitNote: 'Wh' },
  {
    path: 'ret_aenergy.total',
    field: 'ret_aenergy',
    suffix: 'energy_export',
    factor: 1,
    counter: true,
    unitNote: 'Wh',
  },
  { path: 'temperature.tC', field: 'temperature', suffix: 'temperature', factor: 1, unitNote: '°C' },
];

const SHELLY_GEN1: Readonly<Record<string, FieldRule>> = {
  power: { field: 'power', suffix: 'active_power', factor: 1, unitNote: 'W' },
  // Gen1 counts watt-minutes, and restarts from 0 when the device reboots (a meter reset downstream)
  energy: { field: 'energy', suffix: 'energy_import', factor: 1 / 60, counter: true, unitNote: 'watt-minutes' },
};

const STALE_MS = 180_000;

/**
 * Gen2 (Plus/Pro/Gen3): `<prefix>/status/switch:0` or `…/status/pm1:0` with
 * `{"id":0,"apower":12.3,"voltage":230.1,"current":0.05,"aenergy":{"total":1234.5,…,"minute_ts":…}}`
 * → `<prefix>/switch:0/active_power` etc. Gen1: `shellies/<id>/relay/0/power` (W) and
 * `…/relay/0/energy` (watt-minutes → Wh) → `<prefix>/relay/0/active_power`, `…/energy_import`.
 * Other Shelly topics (on/off state, info, announce) are ignored.
 */
export function decodeShelly(ctx: DeviceContext): void {
  const levels = ctx.topic.split('/');
  const last = levels.at(-1) ?? '';
  if (levels.at(-2) === 'status' && /^(switch|pm1):\d+$/.test(last)) return decodeShellyGen2(ctx, last);
  if (levels.at(-3) === 'relay' && /^\d+$/.test(levels.at(-2) ?? '')) {
    const rule = SHELLY_GEN1[last];
    if (!rule) return;
    emitNumber(ctx, rule, ctx.payload, undefined, `${ctx.prefix}/relay/${levels.at(-2)}/${rule.suffix}`, ctx.receivedMs);
  }
}

function decodeShellyGen2(ctx: DeviceContext, component: string): void {
  const json = parseJson(ctx.payload);
  if (!json.ok) return ctx.result.reject(json.reason);
  let tsMs = ctx.receivedMs;
  let quality: Quality = 'measured';
  const minuteTs = getPath(json.value, 'aenergy.minute_ts');
  if (minuteTs.found && typeof minuteTs.value === 'number' && Number.isFinite(minuteTs.value)) {
    const minuteMs = minuteTs.value * 1000;
    if (ctx.receivedMs - minuteMs > STALE_MS) {
      tsMs = minuteMs + 60_000;
      quality = 'estimated';
    }
  }
  for (const rule of SHELLY_GEN2) {
    const v = getPath(json.value, rule.path);
    if (!v.found) continue;
    emitNumber(ctx, rule, v.value, rule.path, `${ctx.prefix}/${component}/${rule.suffix}`, tsMs, quality);
  }
}

// ---- OpenDTU: <prefix>/<serial>/<channel>/<field>, one plain number per topic --------------------

const OPENDTU_AC: Readonly<Record<string, FieldRule>> = {
  power: { field: 'power', suffix: 'ac/active_power', factor: 1, unitNote: 'W' },
  voltage: { field: 'voltage', suffix: 'ac/voltage', factor: 1, unitNote: 'V' },
  current: { field: 'current', suffix: 'ac/current', factor: 1, unitNote: 'A' },
  frequency: { field: 'frequency', suffix: 'ac/frequency', factor: 1, unitNote: 'Hz' },
  reactivepower: { field: 'reactivepower', suffix: 'ac/reactive_power', factor: 1, unitNote: 'var' },
  yieldtotal: { field: 'yieldtotal', suffix: 'ac/energy', factor: 1000, counter: true, unitNote: 'kWh' },
  // restarts at 0 every day (and on inverter restart)
  yieldday: { field: 'yieldday', suffix: 'ac/energy_today', factor: 1, counter: true, unitNote: 'Wh' },
  powerdc: { field: 'powerdc', suffix: 'dc/active_power', factor: 1, unitNote: 'W' },
  temperature: { field: 'temperature', suffix: 'temperature', factor: 1, unitNote: '°C' },
};

const OPENDTU_DC: Readonly<Record<string, FieldRule>> = {
  power: { field: 'power', suffix: 'active_power', factor: 1, unitNote: 'W' },
  voltage: { field: 'voltage', suffix: 'voltage', factor: 1, unitNote: 'V' },
  current: { field: 'current', suffix: 'current', factor: 1, unitNote: 'A' },
  yieldtotal: { field: 'yieldtotal', suffix: 'energy', factor: 1000, counter: true, unitNote: 'kWh' },
  yieldday: { field: 'yieldday', suffix: 'energy_today', factor: 1, counter: true, unitNote: 'Wh' },
  // irradiation is % of the configured module peak, not W/m²: not mapped
};

/**
 * The last three topic levels are `<serial>/<channel>/<field>`; channel 0 is the AC side
 * (`<prefix>/ac/active_power`, `…/ac/energy`), channels 1… the DC inputs (`<prefix>/dc/1/active_power`).
 * The prefix template should contain the serial (`solar/+/+/+` with `opendtu/{1}`). Topics with
 * another shape (`…/status/…`, `dtu/…`, `…/name`) or unknown fields are ignored.
 */
export function decodeOpenDtu(ctx: DeviceContext): void {
  const levels = ctx.topic.split('/');
  if (levels.length < 3) return;
  const channel = levels.at(-2)!;
  const field = levels.at(-1)!;
  if (!/^\d+$/.test(channel)) return;
  const ch = Number(channel);
  const rule = ch === 0 ? OPENDTU_AC[field] : OPENDTU_DC[field];
  if (!rule) return;
  const key = ch === 0 ? `${ctx.prefix}/${rule.suffix}` : `${ctx.prefix}/dc/${ch}/${rule.suffix}`;
  emitNumber(ctx, rule, ctx.payload, undefined, key, ctx.receivedMs);
}
