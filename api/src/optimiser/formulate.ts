/**
 * Turns an OptimiserInput into an LP/MILP (see README.md for the formulation). Pure.
 * Internal units: power kW, energy kWh, money EUR. Slack columns with a large penalty keep every
 * input solvable; a slack that ends up non-zero names the limit that could not be met.
 */
import { costBreakdown, demandChargeIncrement } from '../tariffs/cost.js';
import { hoursInYear, localParts } from '../tariffs/local-time.js';
import { INF, LpBuilder } from './lp.js';
import { STEP_H, STEP_MS, type OptimiserInput } from './model.js';

/** EUR per kWh of unserved load, excess generation or missing flexible/terminal energy. */
export const PENALTY_EUR_PER_KWH = 10_000;
/** a tiny preference for using PV over curtailing it when both cost the same, EUR/kWh */
const PV_TIE_BREAK_EUR_PER_KWH = 1e-6;

export interface BatteryCols {
  id: string;
  ch: number[];
  dis: number[];
  soc: number[];
  terminalShort: number | null;
}

export interface FlexCols {
  id: string;
  /** -1 where the load may not run */
  p: number[];
  on: number[];
  short: number;
  requiredKWh: number;
}

export interface PeakCols {
  period: string;
  firstStep: number;
  col: number;
  peakSoFarKw: number;
  freePeakKw: number;
  periodDays: number;
  daysInYear: number;
}

export interface Formulation {
  lp: LpBuilder;
  n: number;
  imp: number[];
  exp: number[];
  pv: number[];
  pvAvailKw: number[];
  unserved: number[];
  /** -1 where there is no excess column (curtailable PV) */
  excess: number[];
  batteries: BatteryCols[];
  flex: FlexCols[];
  peaks: PeakCols[];
  importEurPerKWh: readonly number[];
  exportEurPerKWh: readonly number[];
  importLimitKw: number[];
  exportLimitKw: number[];
}

const inWindow = (t: number, w: { startMs: number; endMs: number }) => t >= w.startMs && t < w.endMs;
const floorStep = (ms: number) => Math.floor(ms / STEP_MS) * STEP_MS;
const ceilStep = (ms: number) => Math.ceil(ms / STEP_MS) * STEP_MS;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Billing period key, length in days and days of its year, as costBreakdown keys them. */
export function billingPeriodOf(
  epochMs: number,
  tariff: OptimiserInput['tariff'],
): { key: string; periodDays: number; daysInYear: number } | null {
  const d = tariff.grid.demandCharge;
  if (!d) return null;
  const local = localParts(epochMs, tariff.timeZone);
  const daysInYear = hoursInYear(local.year) / 24;
  if (d.billingPeriod === 'year') return { key: `${local.year}`, periodDays: daysInYear, daysInYear };
  return { key: `${local.year}-${String(local.month).padStart(2, '0')}`, periodDays: daysInMonth(local.year, local.month), daysInYear };
}

export function formulate(input: OptimiserInput): Formulation {
  const n = input.loadW.length;
  const lp = new LpBuilder();
  const stepStart = (t: number) => input.startMs + t * STEP_MS;
  const zeros = new Array<number>(n).fill(0);
  const prices =
    input.marginalPrices ??
    costBreakdown(
      input.tariff,
      { start: new Date(input.startMs), importEnergyWh: zeros, exportEnergyWh: zeros },
      input.spotPriceEurPerMWh ? { spotPriceEurPerMWh: input.spotPriceEurPerMWh } : {},
    ).marginal;

  const importLimitKw: number[] = [];
  const exportLimitKw: number[] = [];
  const pvAvailKw: number[] = [];
  const pvMaxKw: number[] = [];
  for (let t = 0; t < n; t++) {
    const s = stepStart(t);
    let expW = input.grid.exportLimitW;
    let pvW = input.pvAvailableW?.[t] ?? 0;
    pvAvailKw.push(pvW / 1000);
    for (const o of input.curtailmentOrders ?? []) {
      if (!inWindow(s, o)) continue;
      if (o.maxExportPowerW !== undefined) expW = Math.min(expW, o.maxExportPowerW);
      if (o.maxPvPowerW !== undefined) pvW = Math.min(pvW, o.maxPvPowerW);
    }
    if (input.noExportAtNegativePrice && (input.spotPriceEurPerMWh?.[t] ?? 0) < 0) expW = 0;
    importLimitKw.push(input.grid.importLimitW / 1000);
    exportLimitKw.push(Math.max(0, expW) / 1000);
    pvMaxKw.push(Math.max(0, pvW) / 1000);
  }

  const curtailable = input.pvCurtailable ?? true;
  const imp: number[] = [];
  const exp: number[] = [];
  const pv: number[] = [];
  const unserved: number[] = [];
  const excess: number[] = [];
  for (let t = 0; t < n; t++) {
    imp.push(lp.col(prices.importEurPerKWh[t]! * STEP_H, 0, importLimitKw[t]!));
    exp.push(lp.col(-prices.exportEurPerKWh[t]! * STEP_H, 0, exportLimitKw[t]!));
    // a non-curtailable PV still obeys a redispatch order (the order is the curtailment)
    const pvLo = curtailable ? 0 : pvMaxKw[t]!;
    pv.push(lp.col(-PV_TIE_BREAK_EUR_PER_KWH * STEP_H, pvLo, pvMaxKw[t]!));
    unserved.push(lp.col(PENALTY_EUR_PER_KWH * STEP_H, 0, INF));
    // curtailable PV can always absorb a surplus: the excess slack is needed only without curtailment
    excess.push(curtailable ? -1 : lp.col(PENALTY_EUR_PER_KWH * STEP_H, 0, INF));
  }

  const batteries: BatteryCols[] = (input.batteries ?? []).map((b) => {
    const ch: number[] = [];
    const dis: number[] = [];
    const soc: number[] = [];
    const lo = Math.min(b.socMinWh, b.initialSocWh) / 1000;
    const hi = Math.max(b.socMaxWh, b.initialSocWh) / 1000;
    const wear = (b.wearCostEurPerKWh ?? 0) * STEP_H;
    for (let t = 0; t < n; t++) {
      ch.push(lp.col(0, 0, b.maxChargeW / 1000));
      dis.push(lp.col(wear, 0, b.maxDischargeW / 1000));
      soc.push(lp.col(0, lo, hi));
    }
    // soc_t − soc_{t−1} − ηc·Δt·ch_t + Δt/ηd·dis_t = 0 (soc_{−1} = initial)
    for (let t = 0; t < n; t++) {
      const cols = t === 0 ? [soc[t]!, ch[t]!, dis[t]!] : [soc[t]!, soc[t - 1]!, ch[t]!, dis[t]!];
      const coefs =
        t === 0
          ? [1, -b.chargeEfficiency * STEP_H, STEP_H / b.dischargeEfficiency]
          : [1, -1, -b.chargeEfficiency * STEP_H, STEP_H / b.dischargeEfficiency];
      const rhs = t === 0 ? b.initialSocWh / 1000 : 0;
      lp.row(rhs, rhs, cols, coefs);
    }
    const last = soc[n - 1]!;
    if (b.terminalValueEurPerKWh) lp.addCost(last, -b.terminalValueEurPerKWh);
    let terminalShort: number | null = null;
    if (b.terminalSocMinWh !== undefined) {
      terminalShort = lp.col(PENALTY_EUR_PER_KWH, 0, INF);
      lp.row(b.terminalSocMinWh / 1000, INF, [last, terminalShort], [1, 1]);
    }
    return { id: b.id, ch, dis, soc, terminalShort };
  });

  const horizonEndMs = stepStart(n);
  const flex: FlexCols[] = (input.flexibleLoads ?? []).map((f) => {
    const from = floorStep(f.availableFromMs ?? input.startMs);
    const deadline = ceilStep(f.deadlineMs);
    const maxKw = f.maxPowerW / 1000;
    const minKw = (f.minPowerW ?? 0) / 1000;
    const p: number[] = [];
    const on: number[] = [];
    for (let t = 0; t < n; t++) {
      const s = stepStart(t);
      if (s < from || s + STEP_MS > deadline) {
        p.push(-1);
        on.push(-1);
        continue;
      }
      const pc = lp.col(0, 0, maxKw);
      p.push(pc);
      if (minKw > 0) {
        // the only integer columns: on/off of a load with a minimum power
        const oc = lp.col(0, 0, 1, true);
        on.push(oc);
        lp.row(-INF, 0, [pc, oc], [1, -maxKw]);
        lp.row(0, INF, [pc, oc], [1, -minKw]);
      } else on.push(-1);
    }
    // energy that must be delivered inside the horizon so that the deadline can still be met after it
    const stepsAfter = Math.max(0, (deadline - Math.max(horizonEndMs, from)) / STEP_MS);
    const requiredKWh = Math.max(0, f.energyWh / 1000 - maxKw * STEP_H * stepsAfter);
    const short = lp.col(PENALTY_EUR_PER_KWH, 0, INF);
    const cols = p.filter((c) => c >= 0);
    lp.row(requiredKWh, INF, [...cols, short], [...cols.map(() => STEP_H), 1]);
    if (cols.length > 0)
      lp.row(
        -INF,
        f.energyWh / 1000,
        cols,
        cols.map(() => STEP_H),
      );
    return { id: f.id, p, on, short, requiredKWh };
  });

  // energy balance: pv + imp + Σdis − Σch − Σflex − exp + unserved − excess = load
  for (let t = 0; t < n; t++) {
    const cols = [pv[t]!, imp[t]!, exp[t]!, unserved[t]!];
    const coefs = [1, 1, -1, 1];
    if (excess[t]! >= 0) {
      cols.push(excess[t]!);
      coefs.push(-1);
    }
    for (const b of batteries) {
      cols.push(b.dis[t]!, b.ch[t]!);
      coefs.push(1, -1);
    }
    for (const f of flex) {
      if (f.p[t]! >= 0) {
        cols.push(f.p[t]!);
        coefs.push(-1);
      }
    }
    const loadKw = input.loadW[t]! / 1000;
    lp.row(loadKw, loadKw, cols, coefs);
  }

  // §14a dimming: the controllable devices together stay below the limit
  for (const w of input.section14aDimming ?? []) {
    for (let t = 0; t < n; t++) {
      if (!inWindow(stepStart(t), w)) continue;
      const cols: number[] = [];
      (input.flexibleLoads ?? []).forEach((f, i) => {
        if (f.section14a && flex[i]!.p[t]! >= 0) cols.push(flex[i]!.p[t]!);
      });
      (input.batteries ?? []).forEach((b, i) => {
        if (b.section14a) cols.push(batteries[i]!.ch[t]!);
      });
      if (cols.length > 0)
        lp.row(
          -INF,
          w.maxControllablePowerW / 1000,
          cols,
          cols.map(() => 1),
        );
    }
  }

  // demand charge: one peak column per billing period in the horizon, charged above what is already set
  const peaks: PeakCols[] = [];
  // billing periods are contiguous: when the first and last step share one, every step does (saves Intl calls)
  const firstBp = billingPeriodOf(stepStart(0), input.tariff);
  const lastBp = billingPeriodOf(stepStart(n - 1), input.tariff);
  const single = firstBp !== null && firstBp.key === lastBp?.key;
  for (let t = 0; t < n; t++) {
    const bp = single ? firstBp : billingPeriodOf(stepStart(t), input.tariff);
    if (!bp) break;
    let pk = peaks.find((p) => p.period === bp.key);
    if (!pk) {
      const first = peaks.length === 0;
      const peakSoFarKw = first ? (input.peakSoFarW ?? 0) / 1000 : 0;
      const freePeakKw = first ? Math.max(peakSoFarKw, (input.freePeakW ?? 0) / 1000) : 0;
      const perKw = demandChargeIncrement(input.tariff, 0, 1, bp.periodDays, bp.daysInYear);
      const col = lp.col(perKw, freePeakKw, INF);
      lp.offset -= perKw * freePeakKw;
      pk = { period: bp.key, firstStep: t, col, peakSoFarKw, freePeakKw, periodDays: bp.periodDays, daysInYear: bp.daysInYear };
      peaks.push(pk);
    }
    lp.row(-INF, 0, [imp[t]!, pk.col], [1, -1]);
  }

  return {
    lp,
    n,
    imp,
    exp,
    pv,
    pvAvailKw,
    unserved,
    excess,
    batteries,
    flex,
    peaks,
    importEurPerKWh: prices.importEurPerKWh,
    exportEurPerKWh: prices.exportEurPerKWh,
    importLimitKw,
    exportLimitKw,
  };
}
