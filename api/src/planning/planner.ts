/**
 * The planner (pure): SiteEnergy + tariff + forecasts + prices + current SoC + the billing
 * period's peak so far + grid signals → the optimiser's input; and the optimiser's Plan → the
 * ActivePlan the control agents follow. No I/O, no clock: `nowMs` comes in. See README.md.
 *
 * Horizon: from the current 15-minute step until the end of the known day-ahead prices, at least
 * 24 h (96 steps), at most 48 h (192 steps). Beyond the known prices the price forecast fills in;
 * where a forecast is missing, a persistence fallback (the same time 1…7 days earlier, from
 * measured history or known prices) fills in and the plan's input summary says so. When neither
 * covers 24 h the planner does not plan: it returns `waiting` with the reason.
 */
import { STEP_MS, MAX_STEPS, type BatteryInput, type FlexibleLoadInput, type OptimiserInput } from '../optimiser/model.js';
import type { GridSignal } from '../control/model.js';
import type { Quantile, QuantileForecast, RegularSeries } from '../forecast/model.js';
import type { Rate } from '../markets/timeaxis.js';
import type { BatteryAsset, SiteEnergy } from '../site-energy/model.js';
import { costBreakdown } from '../tariffs/cost.js';
import type { Tariff } from '../tariffs/schema.js';
import { signalsToConstraints } from './signals.js';

export { signalsToConstraints } from './signals.js';
export { toActivePlan, toActiveSteps, peakTargetOf, plannedPeakW } from './active-plan.js';

export const MIN_STEPS = 96;
const DAY_MS = 86_400_000;
/** how many days back the persistence fallback looks for a value */
const PERSISTENCE_DAYS = 7;

/** A forecast or, failing that, measured history for the persistence fallback. */
export interface SeriesSource {
  forecast?: QuantileForecast;
  /** measured 15-minute means before now (W), or any regular series: the fallback */
  history?: RegularSeries;
}

/** What a flexible load still needs (EV: energy by departure). SiteEnergy has the limits, not the demand. */
export interface FlexibleDemand {
  id: string;
  energyWh: number;
  deadlineMs: number;
  availableFromMs?: number;
}

export interface PlannerInputs {
  siteId: string;
  nowMs: number;
  energy: SiteEnergy;
  tariff: Tariff;
  load: SeriesSource;
  /** the site's total PV (all PV assets); ignored when the site has no PV assets */
  pv: SeriesSource;
  /** published day-ahead prices (EUR/MWh), including the last days (persistence fallback) */
  knownPrices: readonly Rate[];
  priceForecast?: QuantileForecast;
  /** measured SoC per battery asset id, %; missing = unknown */
  socPct: Readonly<Record<string, number | undefined>>;
  /** highest 15-minute average import of the current billing period so far, W */
  peakSoFarW: number;
  signals?: readonly GridSignal[];
  flexibleDemands?: readonly FlexibleDemand[];
  /** forecast quantile per target (default p50 both) */
  quantile?: { load?: Quantile; pv?: Quantile };
  /** value of stored energy at the horizon end, EUR/kWh; default: mean marginal import price × discharge efficiency − wear */
  terminalValueEurPerKWh?: number;
}

/** Where each input came from: stored with the plan and shown by the API. */
export interface InputSummary {
  horizon: { startMs: number; endMs: number; steps: number };
  load: SourceSummary;
  pv: SourceSummary | null;
  prices: {
    needed: boolean;
    knownUntilMs: number | null;
    fromKnown: number;
    fromForecast: number;
    fromPersistence: number;
    forecastModel: string | null;
    forecastIssuedAtMs: number | null;
  };
  socPct: Record<string, number>;
  peakSoFarW: number;
  freePeakW: number;
  signals: string[];
  quantile: { load: Quantile; pv: Quantile };
  terminalValueEurPerKWh: Record<string, number>;
  /** assumptions the plan had to make (missing SoC, persistence fallbacks, unsupported signals) */
  warnings: string[];
}

export interface SourceSummary {
  forecastModel: string | null;
  forecastIssuedAtMs: number | null;
  fromForecast: number;
  fromPersistence: number;
}

export type PlanSetup = { ok: true; input: OptimiserInput; summary: InputSummary } | { ok: false; waiting: string };

const iso = (ms: number) => new Date(ms).toISOString();

function forecastAt(fc: QuantileForecast | undefined, q: Quantile, tsMs: number): number {
  if (fc === undefined) return NaN;
  const i = Math.floor((tsMs - fc.startMs) / fc.stepMs);
  if (i < 0 || i >= fc[q].length) return NaN;
  const v = fc[q][i]!;
  return Number.isFinite(v) ? v : NaN;
}

function seriesAt(s: RegularSeries | undefined, tsMs: number): number {
  if (s === undefined) return NaN;
  const i = Math.floor((tsMs - s.startMs) / s.stepMs);
  if (i < 0 || i >= s.values.length) return NaN;
  const v = s.values[i]!;
  return Number.isFinite(v) ? v : NaN;
}

/** The same time 1…7 days earlier (DST ignored: UTC days), NaN when none is known. */
export function persistenceAt(lookup: (tsMs: number) => number, tsMs: number): number {
  for (let d = 1; d <= PERSISTENCE_DAYS; d++) {
    const v = lookup(tsMs - d * DAY_MS);
    if (Number.isFinite(v)) return v;
  }
  return NaN;
}

/** Binary search in sorted rates; NaN outside. */
function rateValueAt(rates: readonly Rate[], tsMs: number): number {
  let lo = 0;
  let hi = rates.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = rates[mid]!;
    if (tsMs < r.startMs) hi = mid - 1;
    else if (tsMs >= r.endMs) lo = mid + 1;
    else return Number.isFinite(r.value) ? r.value : NaN;
  }
  return NaN;
}

interface Filled {
  values: number[];
  /** per step: 1 = from the primary source, 2 = from the fallback, 0 = none */
  origin: number[];
  /** first step without a value (= n when complete) */
  coverage: number;
}

function fill(n: number, startMs: number, primary: (ts: number) => number, fallback: ((ts: number) => number) | undefined): Filled {
  const values: number[] = [];
  const origin: number[] = [];
  let coverage = n;
  for (let t = 0; t < n; t++) {
    const ts = startMs + t * STEP_MS;
    let v = primary(ts);
    let o = 1;
    if (!Number.isFinite(v)) {
      v = fallback !== undefined ? fallback(ts) : NaN;
      o = Number.isFinite(v) ? 2 : 0;
    }
    if (o === 0 && coverage === n) coverage = t;
    values.push(v);
    origin.push(o);
  }
  return { values, origin, coverage };
}

/** steps of the first n from the primary source and from the fallback */
function counts(f: Filled, n: number): { fromForecast: number; fromPersistence: number } {
  const head = f.origin.slice(0, n);
  return { fromForecast: head.filter((o) => o === 1).length, fromPersistence: head.filter((o) => o === 2).length };
}

function needsSpot(tariff: Tariff): boolean {
  return tariff.energy.type === 'dynamic' || tariff.feedIn?.type === 'spotMinusMargin';
}

/** Builds the optimiser input, or says what it is waiting for. */
export function buildPlanInput(p: PlannerInputs): PlanSetup {
  const { energy, tariff } = p;
  const startMs = Math.floor(p.nowMs / STEP_MS) * STEP_MS;
  const warnings: string[] = [];
  const q = { load: p.quantile?.load ?? 'p50', pv: p.quantile?.pv ?? 'p50' } as const;

  // horizon: until the end of the known prices, 24..48 h
  const known = [...p.knownPrices].filter((r) => Number.isFinite(r.value)).sort((a, b) => a.startMs - b.startMs);
  const knownUntilMs = known.length > 0 ? known[known.length - 1]!.endMs : null;
  const wanted = Math.min(
    MAX_STEPS,
    Math.max(MIN_STEPS, knownUntilMs === null ? MIN_STEPS : Math.ceil((knownUntilMs - startMs) / STEP_MS)),
  );

  const load = fill(
    wanted,
    startMs,
    (ts) => forecastAt(p.load.forecast, q.load, ts),
    p.load.history ? (ts) => persistenceAt((x) => seriesAt(p.load.history, x), ts) : undefined,
  );
  const hasPv = energy.pv.length > 0;
  const pv = hasPv
    ? fill(
        wanted,
        startMs,
        (ts) => forecastAt(p.pv.forecast, q.pv, ts),
        p.pv.history ? (ts) => persistenceAt((x) => seriesAt(p.pv.history, x), ts) : undefined,
      )
    : null;
  const spotNeeded = needsSpot(tariff);
  const price = fill(
    wanted,
    startMs,
    (ts) => {
      const v = rateValueAt(known, ts);
      return Number.isFinite(v) ? v : forecastAt(p.priceForecast, 'p50', ts);
    },
    known.length > 0 ? (ts) => persistenceAt((x) => rateValueAt(known, x), ts) : undefined,
  );

  const coverage = Math.min(load.coverage, pv?.coverage ?? wanted, spotNeeded ? price.coverage : wanted);
  if (coverage < MIN_STEPS) {
    const at = iso(startMs + coverage * STEP_MS);
    if (load.coverage === coverage)
      return {
        ok: false,
        waiting: `no load forecast for site ${p.siteId} yet (and no measured ${energy.loadSeries} history to fall back on) from ${at}`,
      };
    if (pv !== null && pv.coverage === coverage)
      return { ok: false, waiting: `no PV forecast for site ${p.siteId} yet (and no measured PV history to fall back on) from ${at}` };
    return {
      ok: false,
      waiting:
        `no day-ahead price for ${energy.priceZone} from ${at} (known prices until ${knownUntilMs === null ? 'none' : iso(knownUntilMs)}, ` +
        `${p.priceForecast ? `price forecast until ${iso(p.priceForecast.startMs + p.priceForecast.p50.length * p.priceForecast.stepMs)}` : 'no price forecast'})`,
    };
  }
  const n = coverage;
  if (n < wanted) warnings.push(`horizon cut to ${n} steps (${(n / 4).toFixed(2)} h): inputs end at ${iso(startMs + n * STEP_MS)}`);
  const cut = (f: Filled) => f.values.slice(0, n);
  const loadCounts = counts(load, n);
  if (loadCounts.fromPersistence > 0)
    warnings.push(
      `load: ${loadCounts.fromPersistence} of ${n} steps from persistence of measured ${energy.loadSeries} (no stored load forecast for them)`,
    );
  const pvCounts = pv ? counts(pv, n) : null;
  if (pvCounts && pvCounts.fromPersistence > 0)
    warnings.push(`pv: ${pvCounts.fromPersistence} of ${n} steps from persistence of measured PV (no stored PV forecast for them)`);

  const loadW = cut(load).map((v) => Math.max(0, v));
  const ratedPvW = energy.pv.reduce((s, a) => s + a.ratedW, 0);
  const pvW = pv ? cut(pv).map((v) => Math.min(ratedPvW, Math.max(0, v))) : undefined;
  const spot = spotNeeded ? cut(price) : undefined;
  let priceFromKnown = 0;
  let priceFromForecast = 0;
  let priceFromPersistence = 0;
  if (spotNeeded) {
    for (let t = 0; t < n; t++) {
      if (price.origin[t] === 2) priceFromPersistence++;
      else if (Number.isFinite(rateValueAt(known, startMs + t * STEP_MS))) priceFromKnown++;
      else priceFromForecast++;
    }
    if (priceFromPersistence > 0)
      warnings.push(`prices: ${priceFromPersistence} of ${n} steps repeat the known prices of an earlier day (no price forecast for them)`);
  }

  // marginal prices once (the optimiser would compute the same); also the default terminal value
  const zeros = new Array<number>(n).fill(0);
  const marginal = costBreakdown(
    tariff,
    { start: new Date(startMs), importEnergyWh: zeros, exportEnergyWh: zeros },
    spot ? { spotPriceEurPerMWh: spot } : {},
  ).marginal;
  const meanImport = marginal.importEurPerKWh.reduce((a, v) => a + v, 0) / n;

  const socPct: Record<string, number> = {};
  const terminal: Record<string, number> = {};
  const batteries = energy.batteries.map((b) => {
    let soc = p.socPct[b.id];
    if (soc === undefined || !Number.isFinite(soc)) {
      soc = b.socMinPct;
      warnings.push(`battery ${b.id}: no SoC reading in ${b.socSeries}; assumed ${soc} % (its lower bound)`);
    }
    soc = Math.min(100, Math.max(0, soc));
    socPct[b.id] = soc;
    const tv = p.terminalValueEurPerKWh ?? Math.max(0, meanImport * b.dischargeEfficiency - b.wearCostEurPerKWh);
    terminal[b.id] = tv;
    return batteryInputOf(b, soc, tv);
  });

  const flexibleLoads: FlexibleLoadInput[] = [];
  for (const d of p.flexibleDemands ?? []) {
    const asset = energy.flexibleLoads.find((f) => f.id === d.id);
    if (!asset) {
      warnings.push(`flexible demand ${d.id}: no such flexible load in the site's configuration, ignored`);
      continue;
    }
    flexibleLoads.push({
      id: d.id,
      energyWh: d.energyWh,
      deadlineMs: d.deadlineMs,
      ...(d.availableFromMs !== undefined ? { availableFromMs: d.availableFromMs } : {}),
      maxPowerW: asset.maxPowerW,
      ...(asset.minPowerW > 0 ? { minPowerW: asset.minPowerW } : {}),
      section14a: asset.section14a,
    });
  }

  const endMs = startMs + n * STEP_MS;
  const sig = signalsToConstraints(p.signals ?? [], startMs, endMs);
  warnings.push(...sig.warnings);
  const curtailableAssets = energy.pv.filter((a) => a.deviceId !== undefined);
  if (hasPv && curtailableAssets.length > 0 && curtailableAssets.length < energy.pv.length)
    warnings.push('pv: only some PV assets are curtailable; the plan treats the PV as curtailable and caps only those');

  const freePeakW = Math.max(p.peakSoFarW, energy.peakTargetW ?? 0);
  const input: OptimiserInput = {
    startMs,
    tariff,
    ...(spot ? { spotPriceEurPerMWh: spot } : {}),
    marginalPrices: marginal,
    loadW,
    ...(pvW ? { pvAvailableW: pvW, pvCurtailable: curtailableAssets.length > 0 } : {}),
    grid: { importLimitW: energy.grid.importLimitW, exportLimitW: energy.grid.exportLimitW },
    batteries,
    flexibleLoads,
    peakSoFarW: p.peakSoFarW,
    freePeakW,
    section14aDimming: sig.dimming,
    curtailmentOrders: sig.curtailment,
    noExportAtNegativePrice: energy.noExportAtNegativePrice,
  };
  const fcSummary = (fc: QuantileForecast | undefined, c: { fromForecast: number; fromPersistence: number }): SourceSummary => ({
    forecastModel: fc?.model ?? null,
    forecastIssuedAtMs: fc?.issuedAtMs ?? null,
    ...c,
  });
  return {
    ok: true,
    input,
    summary: {
      horizon: { startMs, endMs, steps: n },
      load: fcSummary(p.load.forecast, loadCounts),
      pv: pvCounts ? fcSummary(p.pv.forecast, pvCounts) : null,
      prices: {
        needed: spotNeeded,
        knownUntilMs,
        fromKnown: priceFromKnown,
        fromForecast: priceFromForecast,
        fromPersistence: priceFromPersistence,
        forecastModel: p.priceForecast?.model ?? null,
        forecastIssuedAtMs: p.priceForecast?.issuedAtMs ?? null,
      },
      socPct,
      peakSoFarW: p.peakSoFarW,
      freePeakW,
      signals: sig.used,
      quantile: q,
      terminalValueEurPerKWh: terminal,
      warnings,
    },
  };
}

/** A battery asset of the site's configuration as the optimiser takes it, at a SoC (%) and a value of stored energy. */
export function batteryInputOf(b: BatteryAsset, socPct: number, terminalValueEurPerKWh: number): BatteryInput {
  return {
    id: b.id,
    capacityWh: b.capacityWh,
    maxChargeW: b.maxChargeW,
    maxDischargeW: b.maxDischargeW,
    chargeEfficiency: b.chargeEfficiency,
    dischargeEfficiency: b.dischargeEfficiency,
    socMinWh: (b.capacityWh * b.socMinPct) / 100,
    socMaxWh: (b.capacityWh * b.socMaxPct) / 100,
    initialSocWh: (b.capacityWh * socPct) / 100,
    wearCostEurPerKWh: b.wearCostEurPerKWh,
    terminalValueEurPerKWh,
    section14a: b.section14a,
  };
}
