/**
 * The load model `load.profile`: a weighted profile of recent days of the same day type, with a
 * level correction from the last hours, a temperature term where temperatures exist, and
 * quantiles from its own recent residuals. Pure; sees only history before `issuedAt`.
 *
 *   day type of the target date (Mon | Tue–Thu | Fri | Sat | Sun+holiday | bridge day)
 *     → the last N complete days of that type (weights decay^age)   → profile by local time of day
 *     × level factor: actual / profile over the last `levelHours` before issue, fading with lead
 *     + b·ΔT: daily-mean temperature of the target day minus that of its reference days, b (W/K)
 *       fitted by ridge least squares on the model's own past day-level residuals
 *     + empirical 8 %/92 % residual quantiles (as p10/p90) of re-issued past forecasts (same issue time of day,
 *       the last `residualDays` days), by lead day, local hour (±1 h) and working/off day.
 * Two variants run side by side — Tue–Thu pooled into one type, or every weekday its own type
 * (more weeks, faster decay) — and the one whose re-issued past forecasts had the lower MAE is
 * returned (`poolMidweek: 'auto'`, the default; the choice uses only the past).
 * See docs/forecasts.md.
 */
import { weekdayOf } from '../calendar/holidays.js';
import { dayClass, isWorkClass, localStep, localToUtc, addCalendarDays, type DayClass } from './calendar.js';
import { quantileSorted } from './metrics.js';
import {
  DAY_MS,
  ForecastInputError,
  HOUR_MS,
  firstStepAtOrAfter,
  seriesAt,
  type Forecaster,
  type LoadInput,
  type QuantileForecast,
  type RegularSeries,
} from './model.js';

export const PROFILE_LOAD = 'load.profile';
/**
 * Residual quantile levels used for p10/p90. Residuals of the last weeks understate the error of
 * the coming day (the level moves, holidays are rare in the window); the 8 %/92 % levels widen the
 * band slightly so that the measured p10–p90 coverage lands near 80 % (see docs/forecasts.md).
 */
const BAND_LO = 0.08;
const BAND_HI = 0.92;

export interface ProfileLoadOptions {
  /** Reference days per day type (Tue–Thu use 1.5× as many). Default 4. */
  refDays?: number;
  /** Weight factor per older reference day. Default 0.8. */
  decay?: number;
  /** How far back reference days are searched, days. Default 63. */
  maxLookbackDays?: number;
  /** Hours before issue used for the level factor. Default 6. */
  levelHours?: number;
  /** Strength (0–1) of the level factor at lead 0. Default 0.5. */
  levelWeight?: number;
  /** e-folding lead of the level factor, h. Default 24. */
  levelTauH?: number;
  /** Days of re-issued past forecasts used for residual quantiles and the temperature slope. Default 42. */
  residualDays?: number;
  /**
   * Pool Tue–Thu into one day type (`true`), give every weekday its own type with `refDays + 2`
   * weeks and decay 0.7 (`false`), or pick per forecast the variant whose re-issued past forecasts
   * had the lower MAE (`'auto'`, default; only the past is used to choose).
   */
  poolMidweek?: boolean | 'auto';
}

/** A day type, or `mid<weekday>` for Tue/Wed/Thu when midweek days are not pooled. */
type ClassKey = DayClass | `mid${number}`;

const FALLBACK: Record<DayClass, DayClass[]> = {
  mon: ['mid', 'fri'],
  mid: ['mon', 'fri'],
  fri: ['mid', 'mon'],
  sat: ['sun'],
  sun: ['sat'],
  bridge: [],
};

interface StepPoint {
  value: number;
  /** temperature difference target day − reference days, K (NaN without temperatures) */
  dT: number;
  date: string;
  work: boolean;
}

interface Ctx {
  history: RegularSeries;
  temp?: RegularSeries;
  calendar: LoadInput['calendar'];
  o: Required<ProfileLoadOptions> & { poolMidweek: boolean };
  dailyTemp: Map<string, number>;
}

function dailyMeanTemp(ctx: Ctx, date: string): number {
  const cached = ctx.dailyTemp.get(date);
  if (cached !== undefined) return cached;
  let s = 0;
  let n = 0;
  if (ctx.temp) {
    const from = localToUtc(ctx.calendar.timeZone, date, 0);
    const to = localToUtc(ctx.calendar.timeZone, addCalendarDays(date, 1), 0);
    for (let t = from; t < to; t += HOUR_MS) {
      const v = seriesAt(ctx.temp, t);
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
  }
  const m = n >= 12 ? s / n : NaN;
  ctx.dailyTemp.set(date, m);
  return m;
}

/** Point forecast (profile × level, no temperature, no quantiles) for the given step starts. */
function basePoints(ctx: Ctx, issuedAtMs: number, steps: readonly number[]): StepPoint[] {
  const { history, calendar, o } = ctx;
  const tz = calendar.timeZone;
  const issueDate = localStep(tz, issuedAtMs - 1).date;
  const keyOf = (d: string): ClassKey => {
    const c = dayClass(d, calendar);
    return c === 'mid' && !o.poolMidweek ? `mid${weekdayOf(d)}` : c;
  };
  const refCache = new Map<ClassKey, { date: string; w: number }[]>();
  const refsOf = (c: ClassKey): { date: string; w: number }[] => {
    let refs = refCache.get(c);
    if (refs) return refs;
    refs = [];
    const want = c === 'mid' && o.poolMidweek ? Math.round(o.refDays * 1.5) : o.refDays;
    let w = 1;
    for (let k = 1; k <= o.maxLookbackDays && refs.length < want; k++) {
      const d = addCalendarDays(issueDate, -k);
      if (localToUtc(tz, d, 0) < history.startMs) break;
      const k2 = dayClass(d, calendar);
      if (k2 === c || (c.startsWith('mid') && k2 === 'mid' && (c === 'mid' || keyOf(d) === c))) {
        refs.push({ date: d, w });
        w *= o.decay;
      }
    }
    refCache.set(c, refs);
    return refs;
  };
  const profCache = new Map<string, number>();
  const profileAt = (c: ClassKey, minuteOfDay: number): number => {
    const key = `${c}@${minuteOfDay}`;
    const hit = profCache.get(key);
    if (hit !== undefined) return hit;
    let v: number;
    if (c === 'bridge') {
      v = 0.5 * profileAt('mid', minuteOfDay) + 0.5 * profileAt('sat', minuteOfDay);
    } else {
      v = weighted(refsOf(c), minuteOfDay);
      for (const f of FALLBACK[c.startsWith('mid') ? 'mid' : (c as DayClass)]) {
        if (Number.isFinite(v)) break;
        v = weighted(refsOf(f), minuteOfDay);
      }
    }
    profCache.set(key, v);
    return v;
  };
  const weighted = (refs: readonly { date: string; w: number }[], minuteOfDay: number): number => {
    let s = 0;
    let ws = 0;
    for (const r of refs) {
      const y = seriesAt(history, localToUtc(tz, r.date, minuteOfDay));
      if (Number.isFinite(y)) {
        s += r.w * y;
        ws += r.w;
      }
    }
    return ws > 0 ? s / ws : NaN;
  };
  const refTemp = (c: ClassKey): number => {
    const refs = c === 'bridge' ? [...refsOf('mid'), ...refsOf('sat')] : refsOf(c);
    let s = 0;
    let ws = 0;
    for (const r of refs) {
      const t = dailyMeanTemp(ctx, r.date);
      if (Number.isFinite(t)) {
        s += r.w * t;
        ws += r.w;
      }
    }
    return ws > 0 ? s / ws : NaN;
  };

  // level factor from the last hours before issue (profile of the issue day's own type)
  const issueClass = keyOf(issueDate);
  let sumA = 0;
  let sumP = 0;
  const lastStep = Math.floor(issuedAtMs / history.stepMs) * history.stepMs - history.stepMs;
  for (let t = lastStep; t > issuedAtMs - o.levelHours * HOUR_MS; t -= history.stepMs) {
    const a = seriesAt(history, t);
    const ls = localStep(tz, t);
    const p = profileAt(ls.date === issueDate ? issueClass : keyOf(ls.date), ls.minuteOfDay);
    if (Number.isFinite(a) && Number.isFinite(p)) {
      sumA += a;
      sumP += p;
    }
  }
  const ratio = sumP > 0 && sumA >= 0 ? Math.min(1.5, Math.max(0.5, sumA / sumP)) : 1;

  const tempByClassDate = new Map<string, number>();
  return steps.map((t) => {
    const ls = localStep(tz, t);
    const c = keyOf(ls.date);
    const lead = (t - issuedAtMs) / HOUR_MS;
    const level = 1 + (ratio - 1) * o.levelWeight * Math.exp(-Math.max(0, lead) / o.levelTauH);
    let dT = NaN;
    if (ctx.temp) {
      const key = `${c}:${ls.date}`;
      dT = tempByClassDate.get(key) ?? dailyMeanTemp(ctx, ls.date) - refTemp(c);
      tempByClassDate.set(key, dT);
    }
    return { value: profileAt(c, ls.minuteOfDay) * level, dT, date: ls.date, work: c.startsWith('mid') || isWorkClass(c as DayClass) };
  });
}

type Res = { r: number; dT: number; leadDay: number; hour: number; work: boolean; date: string };

/** Target points of one variant plus its residuals on re-issued past forecasts (same issue time of day). */
function runVariant(
  ctx: Ctx,
  issuedAtMs: number,
  steps: readonly number[],
  horizonSteps: number,
): { target: StepPoint[]; residuals: Res[]; pastMae: number; ctx: Ctx } {
  const { history, o } = ctx;
  const stepMs = history.stepMs;
  const target = basePoints(ctx, issuedAtMs, steps);
  const residuals: Res[] = [];
  for (let k = 1; k <= o.residualDays; k++) {
    const past = issuedAtMs - k * DAY_MS;
    if (past - 8 * DAY_MS < history.startMs) break;
    const pStart = firstStepAtOrAfter(past, stepMs);
    const n = Math.min(horizonSteps, Math.floor((issuedAtMs - pStart) / stepMs));
    const pSteps = Array.from({ length: n }, (_, i) => pStart + i * stepMs);
    const pts = basePoints(ctx, past, pSteps);
    pts.forEach((p, i) => {
      const y = seriesAt(history, pSteps[i]!);
      if (Number.isFinite(y) && Number.isFinite(p.value)) {
        residuals.push({
          r: y - p.value,
          dT: p.dT,
          leadDay: Math.floor((pSteps[i]! - past) / DAY_MS),
          hour: Math.floor(localStep(ctx.calendar.timeZone, pSteps[i]!).minuteOfDay / 60),
          work: p.work,
          date: p.date,
        });
      }
    });
  }

  const pastMae = residuals.length > 0 ? residuals.reduce((a, r) => a + Math.abs(r.r), 0) / residuals.length : Infinity;
  return { target, residuals, pastMae, ctx };
}

export function profileLoad(options: ProfileLoadOptions = {}): Forecaster<LoadInput> {
  const o: Required<ProfileLoadOptions> = {
    refDays: options.refDays ?? 4,
    decay: options.decay ?? 0.8,
    maxLookbackDays: options.maxLookbackDays ?? 63,
    levelHours: options.levelHours ?? 6,
    levelWeight: options.levelWeight ?? 0.5,
    levelTauH: options.levelTauH ?? 24,
    residualDays: options.residualDays ?? 42,
    poolMidweek: options.poolMidweek ?? 'auto',
  };
  return {
    name: PROFILE_LOAD,
    target: 'load',
    forecast(input: LoadInput, issuedAt: Date, horizonSteps: number): QuantileForecast {
      const issuedAtMs = issuedAt.getTime();
      const { history } = input;
      const stepMs = history.stepMs;
      if (history.startMs + 8 * DAY_MS > issuedAtMs)
        throw new ForecastInputError(PROFILE_LOAD, 'needs at least 8 days of history before issuedAt');
      // never read past issuedAt: cut the history (and observed-only temperature is not cut: its future part is the forecast)
      const visible = Math.max(0, Math.min(history.values.length, Math.floor((issuedAtMs - history.startMs) / stepMs)));
      const visibleHistory = { startMs: history.startMs, stepMs, values: history.values.slice(0, visible) };
      const startMs = firstStepAtOrAfter(issuedAtMs, stepMs);
      const steps = Array.from({ length: horizonSteps }, (_, i) => startMs + i * stepMs);
      const variants: (Required<ProfileLoadOptions> & { poolMidweek: boolean })[] =
        o.poolMidweek === 'auto'
          ? [
              { ...o, poolMidweek: true },
              { ...o, poolMidweek: false, refDays: o.refDays + 2, decay: 0.7 },
            ]
          : [{ ...o, poolMidweek: o.poolMidweek }];
      let best: ReturnType<typeof runVariant> | undefined;
      for (const v of variants) {
        const run = runVariant(
          {
            history: visibleHistory,
            calendar: input.calendar,
            o: v,
            dailyTemp: new Map(),
            ...(input.temperatureC ? { temp: input.temperatureC } : {}),
          },
          issuedAtMs,
          steps,
          horizonSteps,
        );
        if (!best || run.pastMae < best.pastMae) best = run;
      }
      const { target, residuals, ctx } = best!;

      // temperature slope b (W/K) from day-mean residuals, ridge-shrunk towards 0
      let b = 0;
      if (ctx.temp) {
        const byDay = new Map<string, { s: number; n: number; dT: number }>();
        for (const r of residuals) {
          if (!Number.isFinite(r.dT)) continue;
          const key = `${r.date}:${r.leadDay}`;
          const e = byDay.get(key) ?? { s: 0, n: 0, dT: r.dT };
          e.s += r.r;
          e.n++;
          byDay.set(key, e);
        }
        let sxy = 0;
        let sxx = 0;
        for (const e of byDay.values()) {
          sxy += (e.s / e.n) * e.dT;
          sxx += e.dT * e.dT;
        }
        const lambda = byDay.size * 1; // prior: 1 K² per day
        b = sxx + lambda > 0 ? sxy / (sxx + lambda) : 0;
      }

      // residual quantiles per (lead day, hour ±1, working/off) with fallbacks
      const cells = new Map<string, number[]>();
      const push = (key: string, v: number) => {
        const a = cells.get(key);
        if (a) a.push(v);
        else cells.set(key, [v]);
      };
      for (const r of residuals) {
        const v = r.r - (Number.isFinite(r.dT) ? b * r.dT : 0);
        for (const dh of [-1, 0, 1]) {
          const h = (r.hour + dh + 24) % 24;
          push(`${r.leadDay}|${h}|${r.work}`, v);
          push(`*|${h}|${r.work}`, v);
        }
        push('*', v);
      }
      for (const a of cells.values()) a.sort((x, y) => x - y);
      const band = (leadDay: number, hour: number, work: boolean): [number, number] => {
        for (const key of [`${leadDay}|${hour}|${work}`, `*|${hour}|${work}`, '*']) {
          const a = cells.get(key);
          if (a && a.length >= 30) return [quantileSorted(a, BAND_LO), quantileSorted(a, BAND_HI)];
        }
        return [0, 0];
      };

      const nonNegative = ctx.history.values.every((v) => !(v < 0));
      const p10: number[] = [];
      const p50: number[] = [];
      const p90: number[] = [];
      target.forEach((p, i) => {
        const t = steps[i]!;
        let v = p.value + (Number.isFinite(p.dT) ? b * p.dT : 0);
        if (nonNegative) v = Math.max(0, v);
        const [lo, hi] = band(
          Math.floor((t - issuedAtMs) / DAY_MS),
          Math.floor(localStep(input.calendar.timeZone, t).minuteOfDay / 60),
          p.work,
        );
        p50.push(v);
        p10.push(Math.min(v, nonNegative ? Math.max(0, v + lo) : v + lo));
        p90.push(Math.max(v, v + hi));
      });
      return { target: 'load', model: PROFILE_LOAD, unit: 'W', issuedAtMs, startMs, stepMs, p10, p50, p90 };
    },
  };
}
