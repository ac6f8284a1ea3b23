/**
 * Pure rule evaluation: inputs and `now` in, the conditions that hold now out. One function per
 * rule kind; the service gathers the inputs (readings, events, device health, the peak target).
 * A condition names its subject (series, device, event): one open alert per rule and subject.
 */
import type { AlertSeverity, AnomalyRule, DeviceOfflineRule, PeakAtRiskRule, ThresholdRule, ThresholdOp } from './rules.js';

export interface Condition {
  ruleId: string;
  subject: string;
  severity: AlertSeverity;
  message: string;
  /** the measured or projected value behind the condition, in the series' unit */
  value?: number;
}

export interface TimedValue {
  tsMs: number;
  value: number;
}

export const QUARTER_HOUR_MS = 900_000;

const compare: Record<ThresholdOp, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/**
 * Threshold: `readings` ascending, the newest reading at or before `now − forS` first (the value in
 * effect when the window opened), then every reading up to now. The condition holds when the newest
 * reading is fresh (≤ maxAgeS old) and every reading from the window start on satisfies `op value`.
 */
export function evaluateThreshold(rule: ThresholdRule, readings: readonly TimedValue[], nowMs: number): Condition | undefined {
  const newest = readings.at(-1);
  if (newest === undefined || nowMs - newest.tsMs > rule.maxAgeS * 1000) return undefined;
  const test = compare[rule.op];
  if (rule.forS === 0) {
    if (!test(newest.value, rule.value)) return undefined;
  } else {
    const windowStartMs = nowMs - rule.forS * 1000;
    const first = readings[0]!;
    if (first.tsMs > windowStartMs) return undefined; // not enough history to know it held all along
    const from = readings.findLastIndex((r) => r.tsMs <= windowStartMs);
    if (!readings.slice(from).every((r) => test(r.value, rule.value))) return undefined;
  }
  return {
    ruleId: rule.id,
    subject: `series:${rule.seriesKey}`,
    severity: rule.severity,
    value: newest.value,
    message: `${rule.name}: ${rule.seriesKey} = ${fmt(newest.value)} ${rule.op} ${fmt(rule.value)}${rule.forS > 0 ? ` for ${rule.forS} s` : ''}`,
  };
}

export interface EventInput {
  id: number;
  kind: string;
  severity: AlertSeverity;
  endMs: number;
  acknowledged: boolean;
  message: string;
  seriesId?: number | null;
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** Anomaly: one condition per unacknowledged event of a matching kind and severity that ended less than activeForS ago. */
export function evaluateAnomaly(rule: AnomalyRule, events: readonly EventInput[], nowMs: number): Condition[] {
  return events
    .filter(
      (e) =>
        !e.acknowledged &&
        SEVERITY_RANK[e.severity] >= SEVERITY_RANK[rule.minSeverity] &&
        (rule.eventKinds.length === 0 || rule.eventKinds.some((k) => e.kind.startsWith(k))) &&
        nowMs - e.endMs < rule.activeForS * 1000,
    )
    .map((e) => ({
      ruleId: rule.id,
      subject: `event:${e.id}`,
      // the alert is as severe as the rule says, never less than the event
      severity: SEVERITY_RANK[e.severity] > SEVERITY_RANK[rule.severity] ? e.severity : rule.severity,
      message: `${rule.name}: ${e.kind} (${e.severity}) — ${e.message}`,
    }));
}

export interface DeviceInput {
  deviceId: string;
  state: string;
  sinceMs: number;
}

/** Device offline: one condition per device in one of the rule's states for longer than afterS. */
export function evaluateDeviceOffline(rule: DeviceOfflineRule, devices: readonly DeviceInput[], nowMs: number): Condition[] {
  return devices
    .filter(
      (d) =>
        (rule.deviceIds.length === 0 || rule.deviceIds.includes(d.deviceId)) &&
        (rule.states as readonly string[]).includes(d.state) &&
        nowMs - d.sinceMs > rule.afterS * 1000,
    )
    .map((d) => ({
      ruleId: rule.id,
      subject: `device:${d.deviceId}`,
      severity: rule.severity,
      value: Math.round((nowMs - d.sinceMs) / 1000),
      message: `${rule.name}: device ${d.deviceId} ${d.state} for ${Math.round((nowMs - d.sinceMs) / 1000)} s`,
    }));
}

export interface QuarterProjection {
  quarterStartMs: number;
  /** time-weighted mean over the covered part of the quarter hour, W */
  meanSoFarW: number;
  /** the quarter-hour mean if the newest value holds until the quarter ends, W */
  projectedW: number;
  elapsedMs: number;
}

/**
 * Projects the current quarter hour's average import: the readings of the quarter so far
 * (ascending) are held as steps up to the next reading (the newest up to now), and the newest
 * value is assumed to hold until the quarter ends. Undefined without a reading in the quarter.
 */
export function projectQuarterHour(readings: readonly TimedValue[], nowMs: number): QuarterProjection | undefined {
  const quarterStartMs = Math.floor(nowMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const quarterEndMs = quarterStartMs + QUARTER_HOUR_MS;
  const inQuarter = readings.filter((r) => r.tsMs >= quarterStartMs && r.tsMs <= nowMs);
  const newest = inQuarter.at(-1);
  if (newest === undefined) return undefined;
  let energyWms = 0;
  for (let i = 0; i < inQuarter.length; i++) {
    const r = inQuarter[i]!;
    const until = i + 1 < inQuarter.length ? inQuarter[i + 1]!.tsMs : nowMs;
    energyWms += r.value * (until - r.tsMs);
  }
  const coveredMs = nowMs - inQuarter[0]!.tsMs;
  const meanSoFarW = coveredMs > 0 ? energyWms / coveredMs : newest.value;
  const remainingMs = quarterEndMs - nowMs;
  const projectedW = (meanSoFarW * coveredMs + newest.value * remainingMs) / (coveredMs + remainingMs);
  return { quarterStartMs, meanSoFarW, projectedW, elapsedMs: nowMs - quarterStartMs };
}

/**
 * Peak at risk: the projected quarter-hour import lies above the billing-period peak target (the
 * plan's, or else the highest quarter-hour mean of the period so far) less the margin.
 */
export function evaluatePeakAtRisk(
  rule: PeakAtRiskRule,
  input: { readings: readonly TimedValue[]; targetW?: number | undefined; peakSoFarW?: number | undefined },
  nowMs: number,
): Condition | undefined {
  const targetW = input.targetW ?? input.peakSoFarW;
  if (targetW === undefined || !(targetW > 0)) return undefined;
  const p = projectQuarterHour(input.readings, nowMs);
  if (p === undefined || p.elapsedMs < rule.minElapsedS * 1000) return undefined;
  const limitW = targetW * (1 - rule.marginPct / 100);
  if (p.projectedW <= limitW) return undefined;
  const kw = (w: number) => `${(w / 1000).toFixed(1)} kW`;
  return {
    ruleId: rule.id,
    subject: `series:${rule.seriesKey}`,
    severity: rule.severity,
    value: Math.round(p.projectedW),
    message:
      `${rule.name}: quarter hour from ${new Date(p.quarterStartMs).toISOString()} projected at ${kw(p.projectedW)} ` +
      `(mean so far ${kw(p.meanSoFarW)}) above the ${input.targetW !== undefined ? 'plan peak target' : 'period peak so far'} ${kw(targetW)}` +
      (rule.marginPct > 0 ? ` less ${rule.marginPct} %` : ''),
  };
}
