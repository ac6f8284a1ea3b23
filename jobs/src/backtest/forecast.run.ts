/**
 * Rolling-origin backtest of the forecasters: one forecast issued per day at 12:00 local time for
 * the next local day 00:00–24:00, each seeing only the data before its issue time (the models cut
 * the history themselves; the exogenous inputs are built per origin so that values after the issue
 * time are FORECASTS: synthetic, seeded, documented in docs/forecasts.md).
 */
import {
  ScoreAccumulator,
  clearSkyGhiHaurwitz,
  localToUtc,
  seriesAt,
  solarPosition,
  weeklyNaiveAt,
  ForecastInputError,
  type Forecaster,
  type LoadInput,
  type PriceInput,
  type PvInput,
  type RegularSeries,
} from '../../../api/src/forecast/index.js';
import { addCalendarDays } from '../../../api/src/calendar/index.js';
import type { Rate } from '../../../api/src/markets/index.js';
import { rateAt } from '../../../api/src/markets/index.js';
import type { WeatherRecord } from '../../../api/src/weather/index.js';
import type { LoadSite, PvSite } from './forecast.data.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Deterministic PRNG (mulberry32) and a standard normal from it. */
export function rng(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface Origin {
  date: string;
  issuedAt: Date;
  targetStartMs: number;
  targetEndMs: number;
}

/** Issue at 12:00 local on `date` − 1 for each target date in [from, to]. */
export function origins(timeZone: string, from: string, to: string): Origin[] {
  const out: Origin[] = [];
  for (let d = from; d <= to; d = addCalendarDays(d, 1)) {
    out.push({
      date: d,
      issuedAt: new Date(localToUtc(timeZone, addCalendarDays(d, -1), 12 * 60)),
      targetStartMs: localToUtc(timeZone, d, 0),
      targetEndMs: localToUtc(timeZone, addCalendarDays(d, 1), 0),
    });
  }
  return out;
}

/**
 * Temperature as known at issue time: observed before it, after it the observed value plus a
 * day-ahead forecast error (per target day N(0, 1.0 K) + per hour N(0, 0.7 K), seeded by site and
 * date) — the typical error of a 1–2 day temperature forecast.
 */
export function temperatureAsKnown(obs: RegularSeries, issuedAtMs: number, site: string): RegularSeries {
  const from = Math.max(obs.startMs, issuedAtMs - 120 * DAY_MS);
  const i0 = Math.floor((from - obs.startMs) / obs.stepMs);
  const i1 = Math.min(obs.values.length, Math.ceil((issuedAtMs + 3 * DAY_MS - obs.startMs) / obs.stepMs));
  const r = rng(seedOf(`${site}:temp:${issuedAtMs}`));
  const dayErr = new Map<number, number>();
  const values = obs.values.slice(i0, i1).map((v, k) => {
    const t = obs.startMs + (i0 + k) * obs.stepMs;
    if (t < issuedAtMs) return v;
    const day = Math.floor((t - issuedAtMs) / DAY_MS);
    if (!dayErr.has(day)) dayErr.set(day, r.normal() * 1.0);
    return v + dayErr.get(day)! + r.normal() * 0.7;
  });
  return { startMs: obs.startMs + i0 * obs.stepMs, stepMs: obs.stepMs, values };
}

export interface LoadRun {
  /** score per model on every origin it could forecast */
  scores: Map<string, ScoreAccumulator>;
  /** scores of every model on the origins of the subsampled models (fair comparison with Prophet) */
  subsetScores: Map<string, ScoreAccumulator>;
  origins: number;
  subsetOrigins: number;
  skipped: Map<string, number>;
  seconds: Map<string, number>;
}

/**
 * Day-ahead load backtest. `slow` models run only on every `slowEvery`-th origin; all models are
 * also scored on that subset. The reference for MASE is the weekly seasonal naive forecast.
 */
export function backtestLoad(
  site: LoadSite,
  models: readonly Forecaster<LoadInput>[],
  slow: readonly Forecaster<LoadInput>[],
  slowEvery: number,
  progress: (msg: string) => void,
): LoadRun {
  const all = [...models, ...slow];
  const scores = new Map(all.map((m) => [m.name, new ScoreAccumulator()]));
  const subsetScores = new Map(all.map((m) => [m.name, new ScoreAccumulator()]));
  const skipped = new Map(all.map((m) => [m.name, 0]));
  const seconds = new Map(all.map((m) => [m.name, 0]));
  const os = origins(site.calendar.timeZone, site.evalFrom, site.evalTo);
  const stepMs = site.history.stepMs;
  let subsetOrigins = 0;
  os.forEach((o, k) => {
    if (k % 30 === 0) progress(`${site.name} load: origin ${k + 1}/${os.length} (${o.date})`);
    const inSubset = slow.length > 0 && k % slowEvery === 0;
    if (inSubset) subsetOrigins++;
    const input: LoadInput = {
      history: site.history,
      calendar: site.calendar,
      ...(site.temperatureC ? { temperatureC: temperatureAsKnown(site.temperatureC, o.issuedAt.getTime(), site.name) } : {}),
    };
    const startMs = Math.ceil(o.issuedAt.getTime() / stepMs) * stepMs;
    const horizon = Math.round((o.targetEndMs - startMs) / stepMs);
    for (const m of inSubset ? all : models) {
      const t0 = performance.now();
      let fc;
      try {
        fc = m.forecast(input, o.issuedAt, horizon);
      } catch (e) {
        if (!(e instanceof ForecastInputError)) throw e;
        skipped.set(m.name, skipped.get(m.name)! + 1);
        continue;
      } finally {
        seconds.set(m.name, seconds.get(m.name)! + (performance.now() - t0) / 1000);
      }
      for (let i = 0; i < fc.p50.length; i++) {
        const t = fc.startMs + i * stepMs;
        if (t < o.targetStartMs || t >= o.targetEndMs) continue;
        const y = seriesAt(site.history, t);
        const ref = weeklyNaiveAt(site.history, o.issuedAt.getTime(), t);
        scores.get(m.name)!.add(y, fc.p10[i]!, fc.p50[i]!, fc.p90[i]!, ref);
        if (inSubset) subsetScores.get(m.name)!.add(y, fc.p10[i]!, fc.p50[i]!, fc.p90[i]!, ref);
      }
    }
  });
  return { scores, subsetScores, origins: os.length, subsetOrigins, skipped, seconds };
}

/**
 * The synthetic day-ahead weather forecast of the backtest (there is no archive of real forecasts
 * for these sites): the true hourly GHI's clear-sky index plus an error of fixed statistics,
 * kc_f = clip(kc + e_day + e_hour, 0, 1.2), e_day ~ N(0, σ_day) per target day, e_hour AR(1)
 * with ρ = 0.7 and innovations N(0, σ_hour); temperature + N(0, 1 K). Seeded by site and origin,
 * so every run sees the same forecasts.
 */
export const SYNTH_GHI = { sigmaDay: 0.12, sigmaHour: 0.09, rho: 0.7 };

export function weatherAsKnown(
  observed: readonly WeatherRecord[],
  issuedAtMs: number,
  untilMs: number,
  lat: number,
  lon: number,
  site: string,
): WeatherRecord[] {
  const r = rng(seedOf(`${site}:ghi:${issuedAtMs}`));
  const out: WeatherRecord[] = [];
  let eHour = 0;
  const dayErr = new Map<number, number>();
  for (const rec of observed) {
    if (rec.endMs <= issuedAtMs - 32 * DAY_MS || rec.startMs >= untilMs) continue;
    if (rec.startMs < issuedAtMs) {
      if (rec.endMs <= issuedAtMs) out.push(rec);
      continue;
    }
    const f: WeatherRecord = { startMs: rec.startMs, endMs: rec.endMs, issuedAtMs };
    const day = Math.floor((rec.startMs - issuedAtMs) / DAY_MS);
    if (!dayErr.has(day)) dayErr.set(day, r.normal() * SYNTH_GHI.sigmaDay);
    eHour = SYNTH_GHI.rho * eHour + r.normal() * SYNTH_GHI.sigmaHour;
    if (rec.ghiWPerM2 !== undefined) {
      const cs = clearSkyGhiHaurwitz(solarPosition((rec.startMs + rec.endMs) / 2, lat, lon).zenithDeg);
      if (cs > 5) {
        const kc = rec.ghiWPerM2 / cs;
        f.ghiWPerM2 = Math.max(0, Math.min(1.2, kc + dayErr.get(day)! + eHour)) * cs;
      } else f.ghiWPerM2 = rec.ghiWPerM2;
    }
    if (rec.tempC !== undefined) f.tempC = rec.tempC + r.normal();
    out.push(f);
  }
  return out;
}

export interface PvRun {
  scores: Map<string, ScoreAccumulator>;
  origins: number;
  /** hourly GHI error of the synthetic forecast over daylight hours: RMSE / mean GHI */
  ghiNrmse: number;
  ghiNmae: number;
}

/** Day-ahead PV backtest; the reference for MASE and skill is `reference` (smart persistence). */
export function backtestPv(
  site: PvSite,
  models: readonly Forecaster<PvInput>[],
  reference: Forecaster<PvInput>,
  progress: (msg: string) => void,
): PvRun {
  const scores = new Map(models.map((m) => [m.name, new ScoreAccumulator()]));
  scores.set(reference.name, new ScoreAccumulator());
  const os = origins(site.timeZone, site.evalFrom, site.evalTo);
  const stepMs = site.history.stepMs;
  let se = 0;
  let ae = 0;
  let sg = 0;
  let ng = 0;
  os.forEach((o, k) => {
    if (k % 30 === 0) progress(`${site.name} pv: origin ${k + 1}/${os.length} (${o.date})`);
    const issuedAtMs = o.issuedAt.getTime();
    const weather = site.weather
      ? weatherAsKnown(site.weather, issuedAtMs, o.targetEndMs, site.system.latitudeDeg, site.system.longitudeDeg, site.name)
      : undefined;
    if (weather) {
      for (const w of weather) {
        if (w.startMs < o.targetStartMs || w.startMs >= o.targetEndMs || w.ghiWPerM2 === undefined) continue;
        const truth = site.weather!.find((x) => x.startMs === w.startMs)?.ghiWPerM2;
        if (truth === undefined || truth + w.ghiWPerM2 <= 0) continue;
        se += (w.ghiWPerM2 - truth) ** 2;
        ae += Math.abs(w.ghiWPerM2 - truth);
        sg += truth;
        ng++;
      }
    }
    const input: PvInput = { history: site.history, system: site.system, stepMs, ...(weather ? { weather } : {}) };
    const startMs = Math.ceil(issuedAtMs / stepMs) * stepMs;
    const horizon = Math.round((o.targetEndMs - startMs) / stepMs);
    let ref;
    try {
      ref = reference.forecast(input, o.issuedAt, horizon);
    } catch (e) {
      if (e instanceof ForecastInputError) return;
      throw e;
    }
    const fcs = models.map((m) => m.forecast(input, o.issuedAt, horizon));
    for (let i = 0; i < ref.p50.length; i++) {
      const t = ref.startMs + i * stepMs;
      if (t < o.targetStartMs || t >= o.targetEndMs) continue;
      const y = seriesAt(site.history, t);
      scores.get(reference.name)!.add(y, ref.p10[i]!, ref.p50[i]!, ref.p90[i]!, ref.p50[i]!);
      fcs.forEach((fc) => scores.get(fc.model)!.add(y, fc.p10[i]!, fc.p50[i]!, fc.p90[i]!, ref.p50[i]!));
    }
  });
  return { scores, origins: os.length, ghiNrmse: ng > 0 ? Math.sqrt(se / ng) / (sg / ng) : NaN, ghiNmae: ng > 0 ? ae / sg : NaN };
}

export interface PriceRun {
  scores: Map<string, ScoreAccumulator>;
  origins: number;
}

/**
 * Price forecast beyond the published horizon: issued at 12:00 local on D−1 before the day-ahead
 * auction result for D is out (published until the end of D−1); scored on D. Reference: the same
 * hour of D−1 (price persistence).
 */
export function backtestPrice(
  prices: readonly Rate[],
  model: Forecaster<PriceInput>,
  from: string,
  to: string,
  progress: (msg: string) => void,
): PriceRun {
  const tz = 'Europe/Berlin';
  const acc = new ScoreAccumulator();
  const os = origins(tz, from, to);
  os.forEach((o, k) => {
    if (k % 60 === 0) progress(`price: origin ${k + 1}/${os.length} (${o.date})`);
    const input: PriceInput = {
      known: prices,
      publishedUntilMs: o.targetStartMs,
      calendar: { timeZone: tz, state: 'DE' },
      stepMs: HOUR_MS,
    };
    let fc;
    try {
      fc = model.forecast(input, o.issuedAt, Math.round((o.targetEndMs - o.issuedAt.getTime()) / HOUR_MS));
    } catch (e) {
      if (e instanceof ForecastInputError) return;
      throw e;
    }
    for (let i = 0; i < fc.p50.length; i++) {
      const t = fc.startMs + i * HOUR_MS;
      if (t < o.targetStartMs || t >= o.targetEndMs) continue;
      const y = rateAt(prices, t)?.value ?? NaN;
      const ref = rateAt(prices, t - DAY_MS)?.value ?? NaN;
      acc.add(y, fc.p10[i]!, fc.p50[i]!, fc.p90[i]!, ref);
    }
  });
  return { scores: new Map([[model.name, acc]]), origins: os.length };
}
