import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { parseDemoCsv, powersAt } from '../demo/replay.js';
import { mulberry32 } from '../random.js';
import { peakShaving, QUARTER_MS, quarterAverages, quarterOf, runningQuarter, type PowerSample } from './peak.js';

const Q0 = Date.UTC(2026, 0, 12, 8, 0); // a quarter start

describe('running quarter-hour average (sample-and-hold, import only)', () => {
  it.each([
    ['no samples: nothing imported', [], Q0 + 300_000, 0],
    ['one sample holds back to the quarter start', [{ tsMs: Q0 + 60_000, powerW: 360_000 }], Q0 + 300_000, 360_000 * (300 / 3600)],
    [
      'the last sample before the quarter holds until the first inside',
      [
        { tsMs: Q0 - 10_000, powerW: 100_000 },
        { tsMs: Q0 + 120_000, powerW: 400_000 },
      ],
      Q0 + 300_000,
      (100_000 * 120 + 400_000 * 180) / 3600,
    ],
    [
      'export counts as no import',
      [
        { tsMs: Q0, powerW: -200_000 },
        { tsMs: Q0 + 450_000, powerW: 200_000 },
      ],
      Q0 + 900_000 - 1,
      (200_000 * 449.999) / 3600,
    ],
    [
      'samples of the previous quarter before the last one are ignored',
      [
        { tsMs: Q0 - 600_000, powerW: 900_000 },
        { tsMs: Q0 - 1, powerW: 0 },
      ],
      Q0 + 100_000,
      0,
    ],
  ])('%s', (_n, samples, nowMs, wh) => {
    const q = runningQuarter(samples as PowerSample[], nowMs);
    expect(q.startMs).toBe(Q0);
    expect(q.importWhSoFar).toBeCloseTo(wh, 6);
  });

  it('peak shaving: the line is min(allowed for the rest, target); a quarter that ran above the target is made up for', () => {
    // half the quarter at 500 kW with a 400 kW target: the rest must average 300 kW
    const q = runningQuarter([{ tsMs: Q0, powerW: 500_000 }], Q0 + 450_000);
    const r = peakShaving({ targetW: 400_000, quarter: q, importNowW: 500_000, marginW: 0 });
    expect(r.lineW).toBeCloseTo(300_000, 6);
    expect(r.reduceW).toBeCloseTo(200_000, 6);
    expect(r.projectedAverageW).toBeCloseTo(500_000, 6);
    // a quiet first half leaves room, but the line stays at the target (act early)
    const quiet = runningQuarter([{ tsMs: Q0, powerW: 100_000 }], Q0 + 450_000);
    expect(peakShaving({ targetW: 400_000, quarter: quiet, importNowW: 450_000, marginW: 0 })).toMatchObject({
      lineW: 400_000,
      reduceW: 50_000,
    });
    // the default margin holds 1 % below the target
    expect(peakShaving({ targetW: 400_000, quarter: quiet, importNowW: 450_000 }).lineW).toBe(396_000);
    // below the line: nothing to do
    expect(peakShaving({ targetW: 400_000, quarter: quiet, importNowW: 300_000 }).reduceW).toBe(0);
    // the very end of the quarter stays finite
    const end = runningQuarter([{ tsMs: Q0, powerW: 400_100 }], Q0 + QUARTER_MS - 1);
    expect(Number.isFinite(peakShaving({ targetW: 400_000, quarter: end, importNowW: 400_000 }).lineW)).toBe(true);
  });

  it('quarterAverages splits samples at quarter boundaries', () => {
    const avg = quarterAverages([
      { tsMs: Q0, powerW: 100_000 },
      { tsMs: Q0 + 450_000, powerW: 300_000 },
      { tsMs: Q0 + 1_350_000, powerW: 0 },
    ]);
    expect(avg.get(Q0)).toBeCloseTo(200_000, 6);
    expect(avg.get(Q0 + QUARTER_MS)).toBeCloseTo(300_000, 6);
    expect(quarterOf(Q0 + 899_999).startMs).toBe(Q0);
  });
});

/**
 * Real load: Musterwerk's measured 15-minute load (demo/musterwerk-2023.csv) on its five highest-load
 * working days, interpolated to 5-second ticks as the simulator does, plus ±40 kW seeded noise for
 * the minute-scale swings the 15-minute file smooths away. The controller sees the grid one tick
 * late (measurement lag) and the battery has 500 kW; the target is 80 % of the day's highest quarter.
 */
describe('peak shaving on real load data', () => {
  const demo = parseDemoCsv(readFileSync(DEMO_DATA_FILE, 'utf8'));
  const dayPeak = (day0: number) => {
    let m = 0;
    for (let k = 0; k < 96; k++) m = Math.max(m, demo.loadKw[day0 / QUARTER_MS + k]! * 1000);
    return m;
  };
  const yearStart = Date.UTC(demo.year, 0, 1);
  const days = Array.from({ length: 365 }, (_, d) => yearStart + d * 86_400_000)
    .sort((a, b) => dayPeak(b - yearStart) - dayPeak(a - yearStart))
    .slice(0, 5);

  it.each(days.map((d) => [new Date(d).toISOString().slice(0, 10), d] as const))(
    '%s: every realised quarter average stays at or below the target, with less battery energy than the excess above it',
    (_name, day0) => {
      const targetW = 0.8 * dayPeak(day0 - yearStart);
      const rand = mulberry32(day0 / 1000);
      const tickMs = 5_000;
      const maxDischargeW = 500_000;
      const samples: PowerSample[] = [];
      const raw: PowerSample[] = [];
      let batteryW = 0;
      let dischargedWh = 0;
      for (let t = day0; t < day0 + 86_400_000; t += tickMs) {
        const loadW = powersAt(demo, t).loadW + (rand() * 2 - 1) * 40_000; // PV ignored: the load alone
        const gridW = loadW - batteryW;
        samples.push({ tsMs: t, powerW: gridW });
        raw.push({ tsMs: t, powerW: loadW });
        dischargedWh += (batteryW * tickMs) / 3_600_000;
        // the decision for the next tick, from what was measured now (one tick of lag)
        const q = runningQuarter(samples.slice(-400), t);
        const withoutBatteryW = gridW + batteryW;
        const r = peakShaving({ targetW, quarter: q, importNowW: withoutBatteryW });
        batteryW = Math.min(maxDischargeW, r.reduceW);
      }
      samples.push({ tsMs: day0 + 86_400_000, powerW: 0 });
      raw.push({ tsMs: day0 + 86_400_000, powerW: 0 });
      const realised = quarterAverages(samples);
      const before = quarterAverages(raw);
      let excessWh = 0;
      for (const v of before.values()) excessWh += (Math.max(0, v - targetW) * QUARTER_MS) / 3_600_000;
      expect(Math.max(...before.values())).toBeGreaterThan(targetW); // there was something to shave
      for (const [q, avg] of realised) expect(avg, new Date(q).toISOString()).toBeLessThanOrEqual(targetW + 1e-6);
      // acting early costs energy beyond the bare excess, but within bounds: at most 3× the excess energy
      expect(dischargedWh).toBeGreaterThanOrEqual(excessWh - 1e-6);
      expect(dischargedWh).toBeLessThan(3 * excessWh + 1_000);
    },
  );
});
