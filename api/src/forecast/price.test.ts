// price.profile on the real DE-LU day-ahead prices of 2023.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, PRICE_FILE, parseCsv } from '../tariffs/reference-site.js';
import { localToUtc } from './calendar.js';
import { ForecastInputError } from './model.js';
import { profilePrice } from './price.js';

const known = parseCsv(readFileSync(join(DEFAULT_DATA_DIR, PRICE_FILE), 'utf8'), 'timestamp_utc', 'price_eur_mwh')
  .filter((r) => Number.isFinite(r.value))
  .map((r) => ({ startMs: r.epochMs, endMs: r.epochMs + 3_600_000, value: r.value }));
const calendar = { timeZone: 'Europe/Berlin', state: 'DE' as const };
const tz = 'Europe/Berlin';

describe('price.profile', () => {
  it('copies published prices and forecasts past them with ordered quantiles', () => {
    // 14:00 on 2023-06-13: the auction result for the 14th is out
    const issuedAt = new Date(localToUtc(tz, '2023-06-13', 14 * 60));
    const publishedUntilMs = localToUtc(tz, '2023-06-15', 0);
    const fc = profilePrice().forecast({ known, publishedUntilMs, calendar, stepMs: 900_000 }, issuedAt, 4 * 58);
    const i14 = (localToUtc(tz, '2023-06-14', 8 * 60) - fc.startMs) / fc.stepMs;
    const pub = known.find((r) => r.startMs === localToUtc(tz, '2023-06-14', 8 * 60))!.value;
    expect(fc.p50[i14]).toBe(pub);
    expect(fc.p10[i14]).toBe(pub);
    const i15 = (localToUtc(tz, '2023-06-15', 19 * 60) - fc.startMs) / fc.stepMs;
    expect(fc.p10[i15]!).toBeLessThan(fc.p50[i15]!);
    expect(fc.p50[i15]!).toBeLessThan(fc.p90[i15]!);
    // June evening peak above the midday solar trough
    const i15noon = (localToUtc(tz, '2023-06-15', 13 * 60) - fc.startMs) / fc.stepMs;
    expect(fc.p50[i15]!).toBeGreaterThan(fc.p50[i15noon]!);
  });
  it('ignores prices published after `publishedUntilMs`', () => {
    const issuedAt = new Date(localToUtc(tz, '2023-06-13', 12 * 60));
    const publishedUntilMs = localToUtc(tz, '2023-06-14', 0);
    const a = profilePrice().forecast({ known, publishedUntilMs, calendar }, issuedAt, 96 + 48);
    const poisoned = known.map((r) => (r.startMs >= publishedUntilMs ? { ...r, value: 9999 } : r));
    const b = profilePrice().forecast({ known: poisoned, publishedUntilMs, calendar }, issuedAt, 96 + 48);
    expect(b.p50).toEqual(a.p50);
    expect(b.p90).toEqual(a.p90);
  });
  it('needs published prices', () => {
    expect(() => profilePrice().forecast({ known: [], calendar }, new Date(), 4)).toThrow(ForecastInputError);
  });
});
