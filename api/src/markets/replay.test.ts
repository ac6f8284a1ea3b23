import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_PRICES_FILE } from '../events/services.js';
import { parsePriceCsv } from './csv.js';
import { demoReplaySource } from './sources.js';

const ms = (s: string) => Date.parse(s);
const text = readFileSync(DEMO_PRICES_FILE, 'utf8');

describe('demo price replay (the shipped real 2023 DE-LU prices mapped onto today)', () => {
  const source = demoReplaySource(text);
  const day = [ms('2026-11-26T23:00:00Z'), ms('2026-11-27T23:00:00Z')] as const; // Friday 2026-11-27, CET

  it('the shipped file parses without errors: 341 days of 2023, DST days with 23 and 25 hours', () => {
    const p = parsePriceCsv(text);
    expect(p.errors).toEqual([]);
    expect(p.rates).toHaveLength(8184);
    const hoursOn = (from: string, to: string) => p.rates.filter((r) => r.startMs >= ms(from) && r.startMs < ms(to)).length;
    expect(hoursOn('2023-03-25T23:00:00Z', '2023-03-26T22:00:00Z')).toBe(23);
    expect(hoursOn('2023-10-28T22:00:00Z', '2023-10-29T23:00:00Z')).toBe(25);
  });

  it('today: 24 hourly prices, from the real Friday near 27 November 2023 (2023-11-24)', async () => {
    const r = await source.fetch(day[0], day[1], ms('2026-11-27T08:00:00Z'));
    expect(r.kind).toBe('prices');
    if (r.kind !== 'prices') return;
    expect(r.rates).toHaveLength(24);
    const real = parsePriceCsv(text).rates.find((x) => x.startMs === ms('2023-11-24T11:00:00Z'))!;
    expect(r.rates.find((x) => x.startMs === ms('2026-11-27T11:00:00Z'))!.value).toBe(real.value);
  });

  it('tomorrow is "published" only from 13:00 local, like the auction', async () => {
    const tomorrow = [day[1], day[1] + 86_400_000] as const;
    expect((await source.fetch(tomorrow[0], tomorrow[1], ms('2026-11-27T11:59:00Z'))).kind).toBe('no-data');
    const after = await source.fetch(tomorrow[0], tomorrow[1], ms('2026-11-27T12:00:00Z'));
    expect(after.kind === 'prices' && after.rates.length).toBe(24);
  });

  it('a day missing in the file (Christmas 2023) takes the same weekday a week away', async () => {
    const xmas = ms('2026-12-24T23:00:00Z'); // Friday 2026-12-25 → Friday 2023-12-22 is present, 12-25 is not
    const r = await source.fetch(xmas, xmas + 86_400_000, xmas);
    expect(r.kind === 'prices' && r.rates.length).toBe(24);
  });
});
