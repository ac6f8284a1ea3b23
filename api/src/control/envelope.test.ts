import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.js';
import { clampToEnvelope, violatedLimits, type BatteryEnvelopeInput, type EnvelopeInput } from './envelope.js';

const battery = (over: Partial<BatteryEnvelopeInput> = {}): BatteryEnvelopeInput => ({
  kind: 'battery',
  requestedW: 0,
  device: { minW: -500_000, maxW: 500_000 },
  gridW: 200_000,
  measuredW: 0,
  connection: { importLimitW: 1_000_000, exportLimitW: 700_000 },
  nowMs: 10_000,
  maxChargeW: 500_000,
  maxDischargeW: 500_000,
  socPct: 50,
  socMinPct: 5,
  socMaxPct: 95,
  ...over,
});

describe('safety envelope: scenarios', () => {
  it.each([
    ['inside every limit: unchanged', battery({ requestedW: 100_000 }), 100_000, []],
    [
      'beyond the discharge power: asset limit',
      battery({ requestedW: 600_000, device: { minW: -1e6, maxW: 1e6 } }),
      500_000,
      ['asset-max-discharge'],
    ],
    ['beyond the device setpoint range', battery({ requestedW: 550_000, maxDischargeW: 600_000 }), 500_000, ['device-max']],
    ['discharge at socMin: 0', battery({ requestedW: 300_000, socPct: 5 }), 0, ['soc-min']],
    ['charge at socMax: 0', battery({ requestedW: -300_000, socPct: 95.2 }), 0, ['soc-max']],
    ['charge below socMax is fine', battery({ requestedW: -300_000, socPct: 94 }), -300_000, []],
    // grid 900 kW with the battery idle: charging may add at most 100 kW before the import limit
    ['charging may not push import beyond the connection', battery({ requestedW: -300_000, gridW: 900_000 }), -100_000, ['import-limit']],
    // export 600 kW: discharging may add at most 100 kW of feed-in
    ['discharging may not push export beyond the connection', battery({ requestedW: 300_000, gridW: -600_000 }), 100_000, ['export-limit']],
    [
      'redispatch feed-in cap tightens the export limit',
      battery({ requestedW: 300_000, gridW: -100_000, maxExportPowerW: 150_000 }),
      50_000,
      ['redispatch-export'],
    ],
    ['§14a: charging at most the battery share', battery({ requestedW: -300_000, section14aMaxW: 4_200 }), -4_200, ['section14a']],
    ['§14a leaves discharge alone', battery({ requestedW: 300_000, section14aMaxW: 4_200 }), 300_000, []],
    [
      'ramp: at most maxRamp × seconds since the last write',
      battery({ requestedW: 300_000, maxRampWPerS: 10_000, last: { writtenW: 0, atMs: 5_000 } }),
      50_000,
      ['ramp'],
    ],
    [
      'SoC beats ramp: full discharge at socMin stops at once',
      battery({ requestedW: 500_000, socPct: 4.9, maxRampWPerS: 1_000, last: { writtenW: 500_000, atMs: 5_000 } }),
      0,
      ['soc-min', 'ramp-overridden'],
    ],
    ['not a number: 0 W', battery({ requestedW: Number.NaN }), 0, ['not-finite']],
  ] as const)('%s', (_name, input, writtenW, clampedBy) => {
    const r = clampToEnvelope(input);
    expect(r.writtenW).toBe(writtenW);
    expect(r.clampedBy).toEqual(clampedBy);
  });

  it('PV: redispatch cap and export limit cap the output', () => {
    const pv = {
      kind: 'pv' as const,
      requestedW: 750_000,
      device: { minW: 0, maxW: 750_000 },
      gridW: -500_000,
      measuredW: 600_000,
      connection: { importLimitW: 1_000_000, exportLimitW: 700_000 },
      nowMs: 0,
      ratedW: 750_000,
    };
    // without this PV the grid would import 100 kW: PV up to 800 kW keeps export ≤ 700 kW: no clamp by export
    expect(clampToEnvelope(pv)).toMatchObject({ writtenW: 750_000, clampedBy: [] });
    expect(clampToEnvelope({ ...pv, maxPvPowerW: 300_000 })).toMatchObject({ writtenW: 300_000, clampedBy: ['redispatch-pv'] });
    expect(clampToEnvelope({ ...pv, maxExportPowerW: 100_000 })).toMatchObject({ writtenW: 200_000, clampedBy: ['redispatch-export'] });
  });

  it('flexible load: 0 or between its minimum and maximum; §14a share and import limit', () => {
    const f = {
      kind: 'flexible' as const,
      requestedW: 11_000,
      device: { minW: 0, maxW: 22_000 },
      gridW: 300_000,
      measuredW: 0,
      connection: { importLimitW: 1_000_000, exportLimitW: 700_000 },
      nowMs: 0,
      minPowerW: 4_000,
      maxPowerW: 22_000,
    };
    expect(clampToEnvelope(f).writtenW).toBe(11_000);
    expect(clampToEnvelope({ ...f, section14aMaxW: 4_200 })).toMatchObject({ writtenW: 4_200, clampedBy: ['section14a'] });
    expect(clampToEnvelope({ ...f, section14aMaxW: 3_000 }).writtenW).toBe(0); // below its running minimum: off
    expect(clampToEnvelope({ ...f, requestedW: 2_000 }).writtenW).toBe(4_000);
    expect(clampToEnvelope({ ...f, gridW: 995_000 })).toMatchObject({ writtenW: 5_000, clampedBy: ['import-limit'] });
    expect(clampToEnvelope({ ...f, gridW: 998_000 }).writtenW).toBe(0); // 2 kW headroom < its 4 kW minimum: off
  });
});

/** random inputs of every kind, in and far beyond realistic ranges */
function randomInput(r: () => number): EnvelopeInput {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const w = (scale: number) => (r() * 2 - 1) * scale;
  const maybe = <T>(v: T): T | undefined => (r() < 0.4 ? v : undefined);
  const common = {
    requestedW: pick([w(2e6), w(1e4), 0, 1e9, -1e9, Number.NaN, Number.POSITIVE_INFINITY]),
    gridW: w(1.5e6),
    connection: { importLimitW: r() * 1.2e6, exportLimitW: r() * 1e6 },
    nowMs: 100_000,
    ...(r() < 0.5 ? { maxRampWPerS: r() * 50_000 + 1 } : {}),
    ...(r() < 0.6 ? { last: { writtenW: w(6e5), atMs: 100_000 - r() * 30_000 } } : {}),
  };
  const kind = pick(['battery', 'pv', 'flexible'] as const);
  if (kind === 'battery') {
    const socMinPct = r() * 30;
    const socMaxPct = socMinPct + r() * (100 - socMinPct);
    const s14 = maybe(r() * 20_000);
    const exp = maybe(r() * 5e5);
    return {
      ...common,
      kind,
      device: { minW: -r() * 6e5, maxW: r() * 6e5 },
      measuredW: w(5e5),
      maxChargeW: r() * 5e5,
      maxDischargeW: r() * 5e5,
      socPct: r() * 100,
      socMinPct,
      socMaxPct,
      ...(s14 !== undefined ? { section14aMaxW: s14 } : {}),
      ...(exp !== undefined ? { maxExportPowerW: exp } : {}),
    };
  }
  if (kind === 'pv') {
    const ratedW = r() * 1e6 + 1;
    const cap = maybe(r() * 1e6);
    const exp = maybe(r() * 5e5);
    return {
      ...common,
      kind,
      device: { minW: 0, maxW: ratedW },
      measuredW: r() * ratedW,
      ratedW,
      ...(cap !== undefined ? { maxPvPowerW: cap } : {}),
      ...(exp !== undefined ? { maxExportPowerW: exp } : {}),
    };
  }
  const maxPowerW = r() * 50_000;
  const s14 = maybe(r() * 20_000);
  return {
    ...common,
    kind,
    device: { minW: 0, maxW: r() * 60_000 },
    measuredW: r() * maxPowerW,
    minPowerW: r() < 0.5 ? 0 : r() * maxPowerW,
    maxPowerW,
    ...(s14 !== undefined ? { section14aMaxW: s14 } : {}),
  };
}

describe('safety envelope: properties (20,000 seeded random cases)', () => {
  it('the written value lies inside every hard limit, respects the ramp unless a hard limit overrode it, and names each clamp', () => {
    const r = mulberry32(20261127);
    for (let n = 0; n < 20_000; n++) {
      const input = randomInput(r);
      const out = clampToEnvelope(input);
      const ctx = JSON.stringify({ input, out });
      expect(Number.isFinite(out.writtenW), ctx).toBe(true);
      expect(violatedLimits(input, out.writtenW), ctx).toEqual([]);
      if (input.maxRampWPerS !== undefined && input.last && !out.clampedBy.includes('ramp-overridden')) {
        const stepW = input.maxRampWPerS * ((input.nowMs - input.last.atMs) / 1000);
        expect(Math.abs(out.writtenW - input.last.writtenW), ctx).toBeLessThanOrEqual(stepW + 1e-6);
      }
      if (out.writtenW !== input.requestedW) expect(out.clampedBy.length, ctx).toBeGreaterThan(0);
      // a request already inside every limit (and the ramp) passes unchanged and unnamed
      const inside =
        Number.isFinite(input.requestedW) &&
        violatedLimits(input, input.requestedW).length === 0 &&
        !(
          input.maxRampWPerS !== undefined &&
          input.last &&
          Math.abs(input.requestedW - input.last.writtenW) > input.maxRampWPerS * ((input.nowMs - input.last.atMs) / 1000)
        ) &&
        !(input.kind === 'flexible' && input.requestedW > 0 && input.requestedW < input.minPowerW);
      if (inside) expect(out, ctx).toMatchObject({ writtenW: input.requestedW, clampedBy: [] });
      if (input.kind === 'flexible' && input.minPowerW > 0)
        expect(out.writtenW === 0 || out.writtenW >= input.minPowerW - 1e-6, ctx).toBe(true);
    }
  });
});
