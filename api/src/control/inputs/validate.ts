/**
 * Pure validation of grid-operator signals and manual overrides — the same rules for the REST API,
 * MQTT payloads and the Modbus control box. Every rejection names the field and the reason; all
 * problems of one input are reported together. No I/O: `nowMs` is passed in.
 */
import type { GridSignal, GridSignalKind } from '../model.js';
import type { SiteEnergy } from '../../site-energy/model.js';

export const GRID_SIGNAL_KINDS: readonly GridSignalKind[] = ['section14a-dimming', 'redispatch-curtailment', 'redispatch-activation'];

/** Longest grid signal accepted, ms (7 days): a longer order is almost certainly a unit or date mistake. */
export const MAX_SIGNAL_MS = 7 * 86_400_000;
/** Longest manual override, s (24 h): people forget; the plan takes over again at the latest after a day. */
export const MAX_OVERRIDE_S = 86_400;

/** The fields a signal carries besides its identity (what the API body / MQTT payload / control box give). */
export type SignalFields = Pick<
  GridSignal,
  'kind' | 'fromMs' | 'toMs' | 'maxControllablePowerW' | 'maxPvPowerW' | 'maxExportPowerW' | 'targetGridW' | 'reference'
>;

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export type ValidatedSignal = { ok: true; value: SignalFields; fromDefaulted: boolean } | { ok: false; errors: string[] };

const LIMIT_FIELDS = ['maxControllablePowerW', 'maxPvPowerW', 'maxExportPowerW', 'targetGridW'] as const;
type LimitField = (typeof LIMIT_FIELDS)[number];

/** Which limit fields each kind needs (`required`: all of them; `oneOf`: at least one) and allows. */
const KIND_FIELDS: Record<GridSignalKind, { required: LimitField[]; oneOf: LimitField[] }> = {
  'section14a-dimming': { required: ['maxControllablePowerW'], oneOf: [] },
  'redispatch-curtailment': { required: [], oneOf: ['maxPvPowerW', 'maxExportPowerW'] },
  'redispatch-activation': { required: ['targetGridW'], oneOf: [] },
};

const INPUT_FIELDS = new Set(['kind', 'from', 'to', 'reference', ...LIMIT_FIELDS]);

/** An instant as ISO 8601 with an offset (2026-11-27T10:00:00Z) or epoch milliseconds. */
function parseInstant(v: unknown, field: string, errors: string[]): number | undefined {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v > 0) return v;
    errors.push(`${field}: must be an ISO 8601 time with offset or epoch milliseconds, got ${v}`);
    return undefined;
  }
  if (typeof v === 'string') {
    if (!/(Z|[+-]\d\d:?\d\d)$/i.test(v.trim())) {
      errors.push(`${field}: "${v}" has no UTC offset (write e.g. 2026-11-27T10:00:00Z or +01:00)`);
      return undefined;
    }
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
    errors.push(`${field}: "${v}" is not an ISO 8601 time`);
    return undefined;
  }
  errors.push(`${field}: must be an ISO 8601 time with offset or epoch milliseconds`);
  return undefined;
}

/**
 * A grid signal as sent by a grid operator's gateway (API body or MQTT payload):
 * `{ kind, from?, to, reference?, maxControllablePowerW? | maxPvPowerW?/maxExportPowerW? | targetGridW? }`.
 * `from` defaults to `nowMs`. Rules: kind known; the limit fields of the kind present (and no others),
 * finite, limits ≥ 0 (targetGridW may be negative: export); from < to; to in the future; at most 7 days.
 */
export function parseSignalInput(input: unknown, nowMs: number): ValidatedSignal {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, errors: ['(root): must be a JSON object with kind, to and the limit of the kind'] };
  const o = input as Record<string, unknown>;
  const errors: string[] = [];
  for (const k of Object.keys(o)) if (!INPUT_FIELDS.has(k)) errors.push(`${k}: unknown field (allowed: ${[...INPUT_FIELDS].join(', ')})`);

  const kind = o.kind;
  const kindOk = typeof kind === 'string' && (GRID_SIGNAL_KINDS as readonly string[]).includes(kind);
  if (!kindOk)
    errors.push(`kind: must be one of ${GRID_SIGNAL_KINDS.join(', ')}${kind === undefined ? '' : `, got ${JSON.stringify(kind)}`}`);

  const fromMs = o.from === undefined ? nowMs : parseInstant(o.from, 'from', errors);
  const toMs = o.to === undefined ? (errors.push('to: is required (when the order ends)'), undefined) : parseInstant(o.to, 'to', errors);
  if (fromMs !== undefined && toMs !== undefined) {
    if (!(fromMs < toMs))
      errors.push(`to: must be after from (from ${new Date(fromMs).toISOString()}, to ${new Date(toMs).toISOString()})`);
    else if (toMs <= nowMs) errors.push(`to: ${new Date(toMs).toISOString()} is already over`);
    else if (toMs - fromMs > MAX_SIGNAL_MS) errors.push(`to: a signal lasts at most 7 days (from ${new Date(fromMs).toISOString()})`);
  }

  let reference: string | undefined;
  if (o.reference !== undefined) {
    if (typeof o.reference !== 'string' || o.reference.trim() === '' || o.reference.length > 200)
      errors.push('reference: must be a non-empty string of at most 200 characters');
    else reference = o.reference.trim();
  }

  const limits: Partial<Record<LimitField, number>> = {};
  for (const f of LIMIT_FIELDS) {
    const v = o[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) errors.push(`${f}: must be a number in W`);
    else if (f !== 'targetGridW' && v < 0) errors.push(`${f}: must be ≥ 0 W, got ${v}`);
    else limits[f] = v;
  }
  if (kindOk) {
    const spec = KIND_FIELDS[kind as GridSignalKind];
    for (const f of spec.required) if (o[f] === undefined || o[f] === null) errors.push(`${f}: is required for ${kind}`);
    if (spec.oneOf.length && spec.oneOf.every((f) => o[f] === undefined || o[f] === null))
      errors.push(`${spec.oneOf.join(' or ')}: at least one is required for ${kind}`);
    for (const f of LIMIT_FIELDS)
      if (o[f] !== undefined && o[f] !== null && !spec.required.includes(f) && !spec.oneOf.includes(f))
        errors.push(`${f}: does not belong to ${kind}`);
  }

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: { kind: kind as GridSignalKind, fromMs: fromMs!, toMs: toMs!, ...limits, ...(reference !== undefined ? { reference } : {}) },
    fromDefaulted: o.from === undefined,
  };
}

/** Fields that differ between two signals' contents (for duplicate deliveries under one reference). */
export function differingFields(a: SignalFields, b: SignalFields): string[] {
  const keys = ['kind', 'fromMs', 'toMs', ...LIMIT_FIELDS] as const;
  return keys.filter((k) => a[k] !== b[k]);
}

export interface AssetRange {
  kind: 'battery' | 'pv' | 'flexible';
  minW: number;
  maxW: number;
  /** flexible loads: 0 (off) is allowed below minW */
  offAllowed: boolean;
  /** what the limits are called, for messages */
  describe: string;
}

/** The physical setpoint range of an asset of the site's energy configuration; undefined = no such asset. */
export function assetRange(site: SiteEnergy, assetId: string): AssetRange | { error: string } | undefined {
  const b = site.batteries.find((x) => x.id === assetId);
  if (b)
    return {
      kind: 'battery',
      minW: -b.maxChargeW,
      maxW: b.maxDischargeW,
      offAllowed: false,
      describe: `battery ${assetId}: −maxChargeW ${b.maxChargeW} W … maxDischargeW ${b.maxDischargeW} W (+ discharge / − charge)`,
    };
  const p = site.pv.find((x) => x.id === assetId);
  if (p) {
    if (!p.deviceId) return { error: `assetId: PV ${assetId} has no deviceId in the site energy configuration, so it cannot be curtailed` };
    return { kind: 'pv', minW: 0, maxW: p.ratedW, offAllowed: false, describe: `PV ${assetId} output cap: 0 … ratedW ${p.ratedW} W` };
  }
  const f = site.flexibleLoads.find((x) => x.id === assetId);
  if (f)
    return {
      kind: 'flexible',
      minW: f.minPowerW,
      maxW: f.maxPowerW,
      offAllowed: true,
      describe: `flexible load ${assetId}: 0 (off) or minPowerW ${f.minPowerW} W … maxPowerW ${f.maxPowerW} W`,
    };
  return undefined;
}

export interface OverrideFields {
  setpointW: number;
  expiresAtMs: number;
  reason?: string;
}

/**
 * A manual override body `{ setpointW, expiresInS | expiresAt, reason? }` checked against the
 * asset's range. Exactly one of expiresInS (1 … 86,400 s) and expiresAt (in the future, ≤ 24 h) is required.
 */
export function parseOverrideInput(input: unknown, range: AssetRange, nowMs: number): Validated<OverrideFields> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, errors: ['(root): must be a JSON object with setpointW and expiresInS or expiresAt'] };
  const o = input as Record<string, unknown>;
  const errors: string[] = [];
  const allowed = new Set(['setpointW', 'expiresInS', 'expiresAt', 'reason']);
  for (const k of Object.keys(o)) if (!allowed.has(k)) errors.push(`${k}: unknown field (allowed: ${[...allowed].join(', ')})`);

  const sp = o.setpointW;
  let setpointW: number | undefined;
  if (typeof sp !== 'number' || !Number.isFinite(sp)) errors.push('setpointW: is required, a number in W');
  else if (sp < range.minW && !(range.offAllowed && sp === 0))
    errors.push(`setpointW: ${sp} W is below the physical range of ${range.describe}`);
  else if (sp > range.maxW) errors.push(`setpointW: ${sp} W is above the physical range of ${range.describe}`);
  else setpointW = sp;

  let expiresAtMs: number | undefined;
  if (o.expiresInS !== undefined && o.expiresAt !== undefined) errors.push('expiresInS: give either expiresInS or expiresAt, not both');
  else if (o.expiresInS !== undefined) {
    const s = o.expiresInS;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_OVERRIDE_S)
      errors.push(`expiresInS: must be a whole number of seconds, 1 … ${MAX_OVERRIDE_S} (24 h)`);
    else expiresAtMs = nowMs + s * 1000;
  } else if (o.expiresAt !== undefined) {
    const ms = parseInstant(o.expiresAt, 'expiresAt', errors);
    if (ms !== undefined) {
      if (ms <= nowMs) errors.push(`expiresAt: ${new Date(ms).toISOString()} is not in the future`);
      else if (ms - nowMs > MAX_OVERRIDE_S * 1000) errors.push('expiresAt: an override lasts at most 24 h');
      else expiresAtMs = ms;
    }
  } else errors.push('expiresInS: an expiry is required (expiresInS, at most 86400, or expiresAt)');

  let reason: string | undefined;
  if (o.reason !== undefined) {
    if (typeof o.reason !== 'string' || o.reason.length > 500) errors.push('reason: must be a string of at most 500 characters');
    else if (o.reason.trim()) reason = o.reason.trim();
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { setpointW: setpointW!, expiresAtMs: expiresAtMs!, ...(reason !== undefined ? { reason } : {}) } };
}
