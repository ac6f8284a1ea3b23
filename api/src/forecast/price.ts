/**
 * Price forecast beyond the published day-ahead horizon, `price.profile`. Pure.
 *
 * Published prices (up to `publishedUntilMs`) are copied (p10 = p50 = p90). After that:
 *   p50 = level + shape(day type, local hour)
 *   level = mean of the last published local day (its own day type's shape removed)
 *   shape = mean over the last `shapeDays` published days of (price − that day's mean), by
 *           day type (working day | Saturday | Sunday/holiday) and local hour
 * Quantiles: empirical 10 %/90 % residuals of the same rule re-applied to each of the last
 * `shapeDays` days (from the days before it), by local hour ±1 h, widened by √(lead days).
 */
import { rateAt, type Rate } from '../markets/timeaxis.js';
import { addCalendarDays, localStep, localToUtc, dayClass } from './calendar.js';
import { quantileSorted } from './metrics.js';
import {
  DAY_MS,
  ForecastInputError,
  HOUR_MS,
  QUARTER_HOUR_MS,
  firstStepAtOrAfter,
  type Forecaster,
  type PriceInput,
  type QuantileForecast,
} from './model.js';

export const PROFILE_PRICE = 'price.profile';
type PriceDay = 'work' | 'sat' | 'sun';

export function profilePrice(options: { shapeDays?: number } = {}): Forecaster<PriceInput> {
  const shapeDays = options.shapeDays ?? 28;
  return {
    name: PROFILE_PRICE,
    target: 'price',
    forecast(input: PriceInput, issuedAt: Date, horizonSteps: number): QuantileForecast {
      const issuedAtMs = issuedAt.getTime();
      const stepMs = input.stepMs ?? QUARTER_HOUR_MS;
      const tz = input.calendar.timeZone;
      const until = input.publishedUntilMs ?? Infinity;
      const known: Rate[] = input.known.filter((r) => r.endMs <= until);
      if (known.length === 0) throw new ForecastInputError(PROFILE_PRICE, 'no published prices');
      const publishedEnd = known[known.length - 1]!.endMs;
      const kind = (date: string): PriceDay => {
        const c = dayClass(date, input.calendar);
        return c === 'sun' ? 'sun' : c === 'sat' ? 'sat' : 'work';
      };
      const hourly = (date: string): number[] | undefined => {
        const out: number[] = [];
        for (let h = 0; h < 24; h++) {
          const r = rateAt(known, localToUtc(tz, date, h * 60));
          if (!r) return undefined;
          out.push(r.value);
        }
        return out;
      };
      // the last fully published local day
      let lastDay = localStep(tz, publishedEnd - 1).date;
      if (localToUtc(tz, addCalendarDays(lastDay, 1), 0) > publishedEnd) lastDay = addCalendarDays(lastDay, -1);
      const days = new Map<string, number[]>();
      for (let k = 0; k < shapeDays * 2 + 2; k++) {
        const d = addCalendarDays(lastDay, -k);
        const v = hourly(d);
        if (v) days.set(d, v);
      }
      const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;
      /** shape and level as seen from `asOf` (a fully published day), from the `shapeDays` days up to it */
      const model = (asOf: string) => {
        const sums = new Map<PriceDay, { s: number[]; n: number }>();
        for (let k = 0; k < shapeDays; k++) {
          const d = addCalendarDays(asOf, -k);
          const v = days.get(d);
          if (!v) continue;
          const m = mean(v);
          const e = sums.get(kind(d)) ?? { s: new Array<number>(24).fill(0), n: 0 };
          v.forEach((x, h) => (e.s[h]! += x - m));
          e.n++;
          sums.set(kind(d), e);
        }
        const shape = (k: PriceDay, h: number): number => {
          const e = sums.get(k) ?? sums.get('work');
          return e ? e.s[h]! / e.n : 0;
        };
        const last = days.get(asOf);
        const level = last ? mean(last.map((x, h) => x - shape(kind(asOf), h))) : NaN;
        return { shape, level };
      };
      const now = model(lastDay);
      if (!Number.isFinite(now.level)) throw new ForecastInputError(PROFILE_PRICE, 'needs one fully published local day');
      // residuals of the rule on past days (each from the days before it), by hour and lead 1 day
      const res: number[][] = Array.from({ length: 24 }, () => []);
      for (let k = 0; k < shapeDays; k++) {
        const d = addCalendarDays(lastDay, -k);
        const v = days.get(d);
        const prev = addCalendarDays(d, -1);
        if (!v || !days.has(prev)) continue;
        const m = model(prev);
        v.forEach((x, h) => res[h]!.push(x - (m.level + m.shape(kind(d), h))));
      }
      const bands = res.map((_, h) => {
        const pool = [...res[(h + 23) % 24]!, ...res[h]!, ...res[(h + 1) % 24]!].sort((a, b) => a - b);
        return pool.length >= 10 ? [quantileSorted(pool, 0.1), quantileSorted(pool, 0.9)] : [0, 0];
      });
      const startMs = firstStepAtOrAfter(issuedAtMs, stepMs);
      const p10: number[] = [];
      const p50: number[] = [];
      const p90: number[] = [];
      const lastDayEnd = localToUtc(tz, addCalendarDays(lastDay, 1), 0);
      for (let i = 0; i < horizonSteps; i++) {
        const t = startMs + i * stepMs;
        const pub = t + stepMs <= publishedEnd ? rateAt(known, t) : undefined;
        if (pub) {
          p10.push(pub.value);
          p50.push(pub.value);
          p90.push(pub.value);
          continue;
        }
        const ls = localStep(tz, t);
        const h = Math.floor(ls.minuteOfDay / 60);
        const v = now.level + now.shape(kind(ls.date), h);
        const widen = Math.sqrt(Math.max(1, Math.ceil((t - lastDayEnd + HOUR_MS) / DAY_MS)));
        const [lo, hi] = bands[h]!;
        p50.push(v);
        p10.push(Math.min(v, v + lo! * widen));
        p90.push(Math.max(v, v + hi! * widen));
      }
      return { target: 'price', model: PROFILE_PRICE, unit: 'EUR/MWh', issuedAtMs, startMs, stepMs, p10, p50, p90 };
    },
  };
}
