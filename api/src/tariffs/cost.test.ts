import { describe, expect, it } from 'vitest';
import { costBreakdown, demandChargeIncrement, TariffInputError, type CostBreakdown, type GridProfile } from './cost.js';
import { parseTariff, type Tariff, type TariffInput } from './schema.js';

// --- tiny fixture builders -------------------------------------------------------------------
const tariff = (over: Partial<TariffInput>): Tariff =>
  parseTariff({ id: 'test', name: 'test', energy: { type: 'fixed', priceCtPerKWh: 0 }, grid: {}, ...over });
const profile = (
  startIso: string,
  importWh: number[],
  exportWh: number[] = importWh.map(() => 0),
  controllableWh?: number[],
): GridProfile => ({
  start: new Date(startIso),
  importEnergyWh: importWh,
  exportEnergyWh: exportWh,
  ...(controllableWh ? { controllableImportEnergyWh: controllableWh } : {}),
});
const repeat = (n: number, v: number): number[] => Array.from({ length: n }, () => v);
/** 2023-06-01 12:00 Europe/Berlin (CEST), a Thursday */
const NOON = '2023-06-01T10:00:00Z';

const partsSum = (b: CostBreakdown): number =>
  b.energyEur +
  b.spotEur +
  b.surchargesEur +
  b.gridEnergyEur +
  b.demandCharge.totalEur +
  b.standingChargeEur -
  b.section14a.totalEur +
  b.vatEur -
  b.feedInRevenueEur;

// --- one row per component, expectations calculated by hand ----------------------------------
interface Row {
  name: string;
  tariff: Partial<TariffInput>;
  profile: GridProfile;
  spot?: number[];
  expect: Partial<
    Record<
      'energyEur' | 'spotEur' | 'surchargesEur' | 'gridEnergyEur' | 'standingChargeEur' | 'vatEur' | 'feedInRevenueEur' | 'totalEur',
      number
    >
  >;
  importEurPerKWh?: number[];
  exportEurPerKWh?: number[];
  section14a?: Partial<CostBreakdown['section14a']>;
}

const rows: Row[] = [
  {
    name: 'fixed energy price: 30 ct/kWh × 3.5 kWh = 1.05 EUR',
    tariff: { energy: { type: 'fixed', priceCtPerKWh: 30 } },
    profile: profile(NOON, [1000, 2000, 0, 500]),
    expect: { energyEur: 1.05, spotEur: 0, totalEur: 1.05 },
    importEurPerKWh: [0.3, 0.3, 0.3, 0.3],
  },
  {
    name: 'dynamic: spot 0.1 − 0.05 + 0.2 + 0 = 0.25 EUR, surcharges 4 kWh × 12 ct = 0.48 EUR',
    tariff: {
      energy: {
        type: 'dynamic',
        surcharges: [
          { name: 'a', priceCtPerKWh: 10 },
          { name: 'b', priceCtPerKWh: 2 },
        ],
      },
    },
    profile: profile(NOON, [1000, 1000, 1000, 1000]),
    spot: [100, -50, 200, 0],
    expect: { energyEur: 0, spotEur: 0.25, surchargesEur: 0.48, totalEur: 0.73 },
    importEurPerKWh: [0.22, 0.07, 0.32, 0.12],
  },
  {
    name: 'grid energy charge: 8 ct/kWh × 3.5 kWh = 0.28 EUR',
    tariff: { grid: { energyChargeCtPerKWh: 8 } },
    profile: profile(NOON, [1000, 2000, 0, 500]),
    expect: { gridEnergyEur: 0.28, totalEur: 0.28 },
    importEurPerKWh: [0.08, 0.08, 0.08, 0.08],
  },
  {
    name: 'standing charge 8760 EUR/a pro-rated to 1 h of a common year = 1 EUR',
    tariff: { grid: { standingChargeEurPerYear: 8760 } },
    profile: profile(NOON, [0, 0, 0, 0]),
    expect: { standingChargeEur: 1, totalEur: 1 },
  },
  {
    name: 'standing charge in a leap year: 8784 EUR/a over 1 h = 1 EUR',
    tariff: { grid: { standingChargeEurPerYear: 8784 } },
    profile: profile('2024-06-01T10:00:00Z', [0, 0, 0, 0]),
    expect: { standingChargeEur: 1 },
  },
  {
    name: 'VAT 19 % paid: 1.20 EUR net + 0.228 EUR VAT',
    tariff: { energy: { type: 'fixed', priceCtPerKWh: 30 }, vat: { percent: 19, reclaimed: false } },
    profile: profile(NOON, [1000, 1000, 1000, 1000]),
    expect: { energyEur: 1.2, vatEur: 0.228, totalEur: 1.428 },
    importEurPerKWh: [0.357, 0.357, 0.357, 0.357],
  },
  {
    name: 'VAT 19 % reclaimed (business): no VAT in the cost',
    tariff: { energy: { type: 'fixed', priceCtPerKWh: 30 }, vat: { percent: 19, reclaimed: true } },
    profile: profile(NOON, [1000, 1000, 1000, 1000]),
    expect: { energyEur: 1.2, vatEur: 0, totalEur: 1.2 },
    importEurPerKWh: [0.3, 0.3, 0.3, 0.3],
  },
  {
    name: 'fixed feed-in 8 ct/kWh × 3 kWh = 0.24 EUR revenue, not taxed',
    tariff: { feedIn: { type: 'fixed', priceCtPerKWh: 8 }, vat: { percent: 19, reclaimed: false } },
    profile: profile(NOON, [0, 0, 0, 0], [1000, 0, 2000, 0]),
    expect: { feedInRevenueEur: 0.24, vatEur: 0, totalEur: -0.24 },
    exportEurPerKWh: [0.08, 0.08, 0.08, 0.08],
  },
  {
    name: 'feed-in at spot − 0.4 ct: 0.096 − 0.054 + 0.196 − 0.004 = 0.234 EUR',
    tariff: { feedIn: { type: 'spotMinusMargin', marginCtPerKWh: 0.4 } },
    profile: profile(NOON, [0, 0, 0, 0], [1000, 1000, 1000, 1000]),
    spot: [100, -50, 200, 0],
    expect: { feedInRevenueEur: 0.234, totalEur: -0.234 },
    exportEurPerKWh: [0.096, -0.054, 0.196, -0.004],
  },
  {
    name: 'negative spot −100 EUR/MWh: import is paid for (spot −0.40 EUR), export costs money (revenue −0.416 EUR)',
    tariff: {
      energy: { type: 'dynamic', surcharges: [{ name: 's', priceCtPerKWh: 12 }] },
      feedIn: { type: 'spotMinusMargin', marginCtPerKWh: 0.4 },
    },
    profile: profile(NOON, [1000, 1000, 1000, 1000], [1000, 1000, 1000, 1000]),
    spot: [-100, -100, -100, -100],
    // −0.40 + 0.48 − (−0.416) = 0.496
    expect: { spotEur: -0.4, surchargesEur: 0.48, feedInRevenueEur: -0.416, totalEur: 0.496 },
    importEurPerKWh: [0.02, 0.02, 0.02, 0.02],
    exportEurPerKWh: [-0.104, -0.104, -0.104, -0.104],
  },
  {
    name: 'negative spot below the surcharges: a kWh imported earns 0.38 EUR',
    tariff: { energy: { type: 'dynamic', surcharges: [{ name: 's', priceCtPerKWh: 12 }] } },
    profile: profile(NOON, [2000, 0, 0, 0]),
    spot: [-500, 0, 0, 0],
    expect: { spotEur: -1, surchargesEur: 0.24, totalEur: -0.76 },
    importEurPerKWh: [-0.38, 0.12, 0.12, 0.12],
  },
  {
    name: '§14a Modul 1: 8760 EUR/a flat reduction over 1 h = 1 EUR',
    tariff: { grid: { energyChargeCtPerKWh: 10 }, section14a: { module1: { reductionEurPerYear: 8760 } } },
    profile: profile(NOON, [1000, 1000, 1000, 1000]),
    expect: { gridEnergyEur: 0.4, totalEur: -0.6 },
    section14a: { module1Eur: 1, module2Eur: 0, module3Eur: 0, totalEur: 1 },
  },
  {
    name: '§14a Modul 2: 60 % of 10 ct/kWh on the 1 kWh of the separately metered device = 0.06 EUR',
    tariff: { grid: { energyChargeCtPerKWh: 10 }, section14a: { module2: { energyChargeReductionPercent: 60 } } },
    profile: profile(NOON, [1000, 1000, 1000, 1000], undefined, [500, 500, 0, 0]),
    expect: { gridEnergyEur: 0.4, totalEur: 0.34 },
    section14a: { module2Eur: 0.06, totalEur: 0.06 },
  },
  {
    name: '§14a Modul 3 low window: 05:30, 05:45 local at 2.5 ct instead of 10 → 0.15 EUR',
    tariff: {
      grid: { energyChargeCtPerKWh: 10 },
      section14a: {
        module1: { reductionEurPerYear: 0 },
        module3: {
          energyChargeCtPerKWh: { low: 2.5, standard: 10, high: 20 },
          windows: [
            { level: 'low', from: '00:00', to: '06:00' },
            { level: 'high', from: '17:00', to: '21:00' },
          ],
        },
      },
    },
    profile: profile('2023-06-01T03:30:00Z', [1000, 1000, 1000, 1000]),
    expect: { gridEnergyEur: 0.4, totalEur: 0.25 },
    importEurPerKWh: [0.025, 0.025, 0.1, 0.1],
    section14a: { module3Eur: 0.15, totalEur: 0.15 },
  },
  {
    name: '§14a Modul 3 high window: 17:00–17:30 local at 20 ct instead of 10 → −0.30 EUR (costs more)',
    tariff: {
      grid: { energyChargeCtPerKWh: 10 },
      section14a: {
        module1: { reductionEurPerYear: 0 },
        module3: { energyChargeCtPerKWh: { low: 2.5, standard: 10, high: 20 }, windows: [{ level: 'high', from: '17:00', to: '21:00' }] },
      },
    },
    profile: profile('2023-06-01T14:45:00Z', [1000, 1000, 1000, 1000]),
    expect: { gridEnergyEur: 0.4, totalEur: 0.7 },
    importEurPerKWh: [0.1, 0.2, 0.2, 0.2],
    section14a: { module3Eur: -0.3, totalEur: -0.3 },
  },
  {
    name: '§14a Modul 3 window limited to Q1/Q4 does not apply in June',
    tariff: {
      grid: { energyChargeCtPerKWh: 10 },
      section14a: {
        module1: { reductionEurPerYear: 0 },
        module3: {
          energyChargeCtPerKWh: { low: 2.5, standard: 10, high: 20 },
          windows: [{ level: 'high', months: [1, 2, 3, 10, 11, 12], from: '17:00', to: '21:00' }],
        },
      },
    },
    profile: profile('2023-06-01T15:00:00Z', [1000, 1000, 1000, 1000]),
    expect: { gridEnergyEur: 0.4, totalEur: 0.4 },
    section14a: { module3Eur: 0 },
  },
  {
    name: 'time of use: weekday peak 17:00–20:00 on a Thursday, 16:30–17:30 local',
    tariff: {
      energy: {
        type: 'timeOfUse',
        defaultPriceCtPerKWh: 30,
        periods: [{ name: 'peak', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '17:00', to: '20:00', priceCtPerKWh: 40 }],
      },
    },
    profile: profile('2023-06-01T14:30:00Z', [1000, 1000, 1000, 1000]),
    expect: { energyEur: 1.4 },
    importEurPerKWh: [0.3, 0.3, 0.4, 0.4],
  },
  {
    name: 'time of use: the weekday peak does not apply on a Saturday',
    tariff: {
      energy: {
        type: 'timeOfUse',
        defaultPriceCtPerKWh: 30,
        periods: [{ name: 'peak', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '17:00', to: '20:00', priceCtPerKWh: 40 }],
      },
    },
    profile: profile('2023-06-03T14:30:00Z', [1000, 1000, 1000, 1000]),
    expect: { energyEur: 1.2 },
  },
];

describe('costBreakdown — one component at a time', () => {
  it.each(rows)('$name', (row) => {
    const b = costBreakdown(tariff(row.tariff), row.profile, row.spot ? { spotPriceEurPerMWh: row.spot } : {});
    for (const [key, value] of Object.entries(row.expect)) expect(b[key as keyof typeof row.expect], key).toBeCloseTo(value, 10);
    for (const [key, value] of Object.entries(row.section14a ?? {}))
      expect(b.section14a[key as keyof CostBreakdown['section14a']], key).toBeCloseTo(value, 10);
    row.importEurPerKWh?.forEach((v, i) => expect(b.marginal.importEurPerKWh[i], `import[${i}]`).toBeCloseTo(v, 10));
    row.exportEurPerKWh?.forEach((v, i) => expect(b.marginal.exportEurPerKWh[i], `export[${i}]`).toBeCloseTo(v, 10));
    expect(partsSum(b)).toBeCloseTo(b.totalEur, 10);
  });
});

describe('time-of-use windows on DST days in Europe/Berlin', () => {
  const tou = tariff({
    energy: { type: 'timeOfUse', defaultPriceCtPerKWh: 30, periods: [{ name: 'night', from: '00:00', to: '06:00', priceCtPerKWh: 10 }] },
  });
  // 1 kWh per quarter hour for one whole local day; night window 00:00–06:00 local.
  it.each([
    // 24 h: 24 night quarters × 0.10 + 72 × 0.30 = 2.4 + 21.6
    { name: 'ordinary day 2023-03-25 (24 h)', startIso: '2023-03-24T23:00:00Z', quarters: 96, night: 24, eur: 24.0 },
    // 23 h: 02:00–03:00 does not exist → 20 night quarters: 2.0 + 21.6
    { name: 'spring forward 2023-03-26 (23 h)', startIso: '2023-03-25T23:00:00Z', quarters: 92, night: 20, eur: 23.6 },
    // 25 h: 02:00–03:00 happens twice → 28 night quarters: 2.8 + 21.6
    { name: 'fall back 2023-10-29 (25 h)', startIso: '2023-10-28T22:00:00Z', quarters: 100, night: 28, eur: 24.4 },
  ])('$name: $night night quarters, $eur EUR', ({ startIso, quarters, night, eur }) => {
    const b = costBreakdown(tou, profile(startIso, repeat(quarters, 1000)));
    expect(b.marginal.importEurPerKWh.filter((p) => p === 0.1)).toHaveLength(night);
    expect(b.energyEur).toBeCloseTo(eur, 10);
    expect(b.end.getTime() - b.start.getTime()).toBe(quarters * 15 * 60_000);
  });
});

describe('demand charge', () => {
  const demand = (billingPeriod: 'year' | 'month'): Tariff =>
    tariff({ grid: { demandCharge: { priceEurPerKwPerYear: 120, billingPeriod } } });

  it('charges the highest 15-min average import, pro-rated to the hours covered', () => {
    // 100 / 250 / 50 / 0 kWh per quarter = 400 / 1000 / 200 / 0 kW; 1 h of 8760
    const b = costBreakdown(demand('year'), profile(NOON, [100_000, 250_000, 50_000, 0]));
    expect(b.demandCharge.peakKw).toBe(1000);
    expect(b.demandCharge.peakAt?.toISOString()).toBe('2023-06-01T10:15:00.000Z');
    expect(b.demandCharge.totalEur).toBeCloseTo((120 * 1000 * 1) / 8760, 10);
  });

  // A whole year 2023, 25 kWh per quarter (100 kW) with a single 125 kWh quarter (500 kW) in January.
  const year = repeat(35040, 25_000);
  year[100] = 125_000;
  const yearProfile = profile('2022-12-31T23:00:00Z', year);
  it.each([
    // yearly bill: 120 EUR/kW/a × 500 kW
    { billing: 'year' as const, periods: 1, eur: 60_000 },
    // monthly: January 500 kW × 744 h, the other months 100 kW × 8016 h, each at 120 EUR/kW/a ÷ 8760 h
    { billing: 'month' as const, periods: 12, eur: (120 * (500 * 744 + 100 * 8016)) / 8760 },
  ])('billing period $billing: $eur EUR', ({ billing, periods, eur }) => {
    const b = costBreakdown(demand(billing), yearProfile);
    expect(b.demandCharge.periods).toHaveLength(periods);
    expect(b.demandCharge.totalEur).toBeCloseTo(eur, 6);
    expect(b.demandCharge.peakKw).toBe(500);
    expect(b.demandCharge.peakAt?.toISOString()).toBe('2023-01-02T00:00:00.000Z');
  });

  it('monthly billing of a constant peak adds up to the yearly price', () => {
    const b = costBreakdown(demand('month'), profile('2022-12-31T23:00:00Z', repeat(35040, 25_000)));
    expect(b.demandCharge.periods.map((p) => p.period)).toEqual([...Array(12).keys()].map((m) => `2023-${String(m + 1).padStart(2, '0')}`));
    // March has 743 h (DST), October 745 h
    expect(b.demandCharge.periods[2]?.coveredHours).toBe(743);
    expect(b.demandCharge.periods[9]?.coveredHours).toBe(745);
    expect(b.demandCharge.totalEur).toBeCloseTo(12_000, 6);
  });

  it.each([
    { name: 'peak raised 800 → 900 kW on a yearly bill', prev: 800, next: 900, days: 365, eur: 12_000 },
    { name: 'new peak below the one already set', prev: 800, next: 700, days: 365, eur: 0 },
    { name: 'equal peak', prev: 800, next: 800, days: 365, eur: 0 },
    { name: 'monthly bill, 31-day month, 0 → 100 kW', prev: 0, next: 100, days: 31, eur: (120 * 100 * 31) / 365 },
  ])('demandChargeIncrement: $name = $eur EUR', ({ prev, next, days, eur }) => {
    expect(demandChargeIncrement(demand('year'), prev, next, days)).toBeCloseTo(eur, 10);
  });

  it('demandChargeIncrement includes VAT when the customer pays it, and is 0 without a demand charge', () => {
    const withVat = tariff({
      vat: { percent: 19, reclaimed: false },
      grid: { demandCharge: { priceEurPerKwPerYear: 100, billingPeriod: 'year' } },
    });
    expect(demandChargeIncrement(withVat, 0, 10, 365)).toBeCloseTo(1190, 10);
    expect(demandChargeIncrement(tariff({}), 0, 10, 365)).toBe(0);
  });

  it('agrees with costBreakdown: charging from 0 to the year peak is the yearly demand charge', () => {
    const b = costBreakdown(demand('year'), yearProfile);
    expect(demandChargeIncrement(demand('year'), 0, b.demandCharge.peakKw, 365)).toBeCloseTo(b.demandCharge.totalEur, 6);
  });
});

describe('costBreakdown rejects bad input', () => {
  const dyn = tariff({ energy: { type: 'dynamic', surcharges: [] } });
  it.each([
    { name: 'spot prices missing for a dynamic tariff', t: dyn, p: profile(NOON, [1, 2]), spot: undefined },
    { name: 'spot series of the wrong length', t: dyn, p: profile(NOON, [1, 2]), spot: [1] },
    { name: 'export series of the wrong length', t: tariff({}), p: profile(NOON, [1, 2], [1]), spot: undefined },
    { name: 'negative import', t: tariff({}), p: profile(NOON, [-1]), spot: undefined },
    { name: 'start not on a quarter hour', t: tariff({}), p: profile('2023-06-01T10:05:00Z', [1]), spot: undefined },
    { name: 'controllable import above import', t: tariff({}), p: profile(NOON, [1], [0], [2]), spot: undefined },
  ])('$name', ({ t, p, spot }) => {
    expect(() => costBreakdown(t, p, spot ? { spotPriceEurPerMWh: spot } : {})).toThrow(TariffInputError);
  });
});
