/**
 * Pure building blocks of the recommendations: per-step grid import/export and demand net of PV,
 * marginal prices from the tariff module, local days and billing periods, the peak a battery can
 * hold per day, quantiles.
 */
import { costBreakdown } from '../tariffs/cost.js';
import { localParts } from '../tariffs/local-time.js';
import type { Tariff } from '../tariffs/schema.js';
import type { SiteHistory } from './history.js';

export const STEP_MS = 900_000;
export const STEP_H = 0.25;

export type HistoryInput = Pick<
  SiteHistory,
  'startMs' | 'steps' | 'loadW' | 'pvW' | 'gridW' | 'batteryW' | 'socPct' | 'spotPriceEurPerMWh' | 'flexibleLoads'
>;

export interface Derived {
  /** grid import, W (NaN unknown) */
  importW: number[];
  exportW: number[];
  /** demand net of PV without the battery (= grid + battery discharge), W; + needs import */
  grossW: number[];
  /** what one more kWh imported / exported costs / earns at each step, EUR/kWh (NaN: price unknown) */
  importEurPerKWh: number[];
  exportEurPerKWh: number[];
  /** local date "YYYY-MM-DD" and billing period key per step */
  day: string[];
  period: string[];
  /** local minute of day and weekday per step */
  minuteOfDay: number[];
  weekday: string[];
}

const fin = Number.isFinite;

export function derive(h: HistoryInput, tariff: Tariff, timeZone: string): Derived {
  const n = h.steps;
  const importW = new Array<number>(n);
  const exportW = new Array<number>(n);
  const grossW = new Array<number>(n);
  for (let t = 0; t < n; t++) {
    const g = h.gridW[t]!;
    const b = fin(h.batteryW[t]!) ? h.batteryW[t]! : 0;
    const net = fin(g) ? g : fin(h.loadW[t]!) && fin(h.pvW[t]!) ? h.loadW[t]! - h.pvW[t]! - b : NaN;
    importW[t] = fin(net) ? Math.max(0, net) : NaN;
    exportW[t] = fin(net) ? Math.max(0, -net) : NaN;
    grossW[t] = fin(net) ? net + b : NaN;
  }
  const spotNeeded = tariff.energy.type === 'dynamic' || tariff.feedIn?.type === 'spotMinusMargin';
  const spot = h.spotPriceEurPerMWh.map((v) => (fin(v) ? v : 0));
  const b = costBreakdown(
    tariff,
    {
      start: new Date(h.startMs),
      importEnergyWh: importW.map((v) => (fin(v) ? v * STEP_H : 0)),
      exportEnergyWh: exportW.map((v) => (fin(v) ? v * STEP_H : 0)),
    },
    { spotPriceEurPerMWh: spot },
  );
  const unknown = (t: number) => spotNeeded && !fin(h.spotPriceEurPerMWh[t]!);
  const importEurPerKWh = b.marginal.importEurPerKWh.map((v, t) => (unknown(t) ? NaN : v));
  const exportEurPerKWh = b.marginal.exportEurPerKWh.map((v, t) => (unknown(t) ? NaN : v));
  const day: string[] = [];
  const period: string[] = [];
  const minuteOfDay: number[] = [];
  const weekday: string[] = [];
  const monthly = tariff.grid.demandCharge?.billingPeriod === 'month';
  for (let t = 0; t < n; t++) {
    const p = localParts(h.startMs + t * STEP_MS, timeZone);
    const mm = String(p.month).padStart(2, '0');
    day.push(`${p.year}-${mm}-${String(p.day).padStart(2, '0')}`);
    period.push(monthly ? `${p.year}-${mm}` : String(p.year));
    minuteOfDay.push(p.minuteOfDay);
    weekday.push(p.weekday);
  }
  return { importW, exportW, grossW, importEurPerKWh, exportEurPerKWh, day, period, minuteOfDay, weekday };
}

/** Step indices grouped by key, in first-seen order. */
export function groupBy(keys: readonly string[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const g = m.get(k);
    if (g) g.push(i);
    else m.set(k, [i]);
  });
  return m;
}

/** Linear-interpolated quantile of finite values (q in 0..1); NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  const xs = values.filter(fin).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo]! + (xs[hi]! - xs[lo]!) * (pos - lo);
}

export interface ShavingBattery {
  /** usable energy between the minimum and maximum SoC, Wh */
  usableWh: number;
  maxChargeW: number;
  maxDischargeW: number;
  chargeEfficiency: number;
  dischargeEfficiency: number;
}

/**
 * Greedy peak shaving at a fixed import level over consecutive steps, starting full: discharge what
 * the demand net of PV (`grossW`) exceeds the level, recharge with the room below it. For holding a
 * flat level this greedy policy is optimal. `ok` is false when the level could not be held; `socWh`
 * is the energy above the minimum SoC at the start of each step (length n + 1). NaN steps: idle.
 */
export function shaveAtLevel(grossW: readonly number[], levelW: number, b: ShavingBattery): { ok: boolean; socWh: number[] } {
  let soc = b.usableWh;
  let ok = true;
  const socWh = [soc];
  for (const g of grossW) {
    if (fin(g) && g > levelW) {
      const needW = g - levelW;
      const canW = Math.min(b.maxDischargeW, (soc * b.dischargeEfficiency) / STEP_H);
      if (needW > canW + 1e-6) ok = false;
      soc -= (Math.min(needW, canW) * STEP_H) / b.dischargeEfficiency;
    } else if (fin(g)) {
      const roomW = Math.min(b.maxChargeW, levelW - g, (b.usableWh - soc) / (b.chargeEfficiency * STEP_H));
      soc += roomW * STEP_H * b.chargeEfficiency;
    }
    soc = Math.max(0, Math.min(b.usableWh, soc));
    socWh.push(soc);
  }
  return { ok, socWh };
}

/** The lowest import level the battery can hold over the steps (binary search to 1 W). */
export function holdablePeakW(grossW: readonly number[], b: ShavingBattery): number {
  let hi = Math.max(0, ...grossW.filter(fin));
  let lo = 0;
  if (b.usableWh <= 0 || shaveAtLevel(grossW, 0, b).ok) return shaveAtLevel(grossW, 0, b).ok ? 0 : hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) / 2;
    if (shaveAtLevel(grossW, mid, b).ok) hi = mid;
    else lo = mid;
  }
  return hi;
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
export const kW = (w: number) => `${(w / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} kW`;
export const kWh = (wh: number) => `${(wh / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} kWh`;
export const eur = (x: number) => `${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} EUR`;
/** minutes of the day → "HH:MM" (1440 → "24:00", the end of the day) */
export const hhmm = (minute: number) =>
  minute >= 1440 ? '24:00' : `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
