/**
 * Recommendations (pure): ranked, explained actions for a site from its stored history, tariff and
 * energy configuration — hold the billing peak lower (peak target + reserve before the recurring
 * peak), shift flexible loads to the cheapest hours, curtail or charge at negative prices. Each
 * names its numbers, units and time zone, the expected saving per year, a confidence and the data
 * it rests on. Ranked by expected saving × confidence.
 */
import { aggregateBattery } from '../rules/history-run.js';
import type { SiteEnergy } from '../site-energy/model.js';
import type { Tariff } from '../tariffs/schema.js';
import { STEP_H, derive, eur, groupBy, hhmm, kWh, round2, type Derived, type HistoryInput } from './analysis.js';
import { peakRecommendations } from './peak.js';

export interface Recommendation {
  id: string;
  kind: 'peak-target' | 'soc-reserve' | 'shift-load' | 'negative-price-export' | 'negative-price-charge';
  title: string;
  /** why, with numbers, units and the time zone */
  reason: string;
  /** expected saving per savingPeriod, EUR (gross of VAT where the site pays VAT) */
  expectedSavingEur: number;
  savingPeriod: 'year';
  /** what it would have saved over the analysed history, EUR */
  observedSavingEur: number;
  /** 0..1: how far the data carries the estimate */
  confidence: number;
  evidence: { series: string[]; from: string; to: string; days: number; figures: Record<string, number> };
  /** recommendations that share the same saving (do not add them up) */
  overlapsWith?: string[];
  /** machine-readable: what to set (peakTargetW, a rule, noExportAtNegativePrice, …) */
  action: Record<string, unknown>;
}

export interface RecommendContext {
  nowMs: number;
  timeZone: string;
  energy: SiteEnergy;
  tariff: Tariff;
  history: HistoryInput;
  window: { from: string; to: string };
}

export interface RecommendResult {
  generatedAt: string;
  timeZone: string;
  window: { from: string; to: string; days: number };
  /** best first */
  recommendations: (Recommendation & { rank: number })[];
  /** what could not be recommended and why */
  notes: string[];
}

const fin = Number.isFinite;

function validDays(d: Derived): [string, number[]][] {
  return [...groupBy(d.day)].filter(([, idx]) => idx.filter((t) => fin(d.importW[t]!)).length * 2 >= idx.length);
}

/** Flexible loads moved to the cheapest steps of the same local day, without raising the billing peak. */
function shiftRecommendations(c: RecommendContext, d: Derived, notes: string[]): Recommendation[] {
  const out: Recommendation[] = [];
  const days = validDays(d);
  const periodPeak = new Map<string, number>();
  d.importW.forEach((v, t) => {
    if (fin(v)) periodPeak.set(d.period[t]!, Math.max(periodPeak.get(d.period[t]!) ?? 0, v));
  });
  for (const f of c.energy.flexibleLoads) {
    const series = c.history.flexibleLoads.find((x) => x.id === f.id);
    if (!series) {
      notes.push(`flexible load ${f.id}: no power series configured or stored, so no shift estimate`);
      continue;
    }
    let observed = 0;
    let usedDays = 0;
    let movedWh = 0;
    const hourHits = new Array<number>(24).fill(0);
    for (const [, idx] of days) {
      const p = idx.map((t) => (fin(series.powerW[t]!) ? Math.max(0, series.powerW[t]!) : 0));
      const energyWh = p.reduce((s, v) => s + v * STEP_H, 0);
      if (energyWh <= 0) continue;
      if (idx.some((t, k) => p[k]! > 0 && !fin(d.importEurPerKWh[t]!))) continue;
      const paid = idx.reduce((s, t, k) => s + ((p[k]! * STEP_H) / 1000) * d.importEurPerKWh[t]!, 0);
      const slots = idx
        .map((t, k) => {
          const peak = periodPeak.get(d.period[t]!) ?? 0;
          const room =
            fin(d.importW[t]!) && fin(d.importEurPerKWh[t]!) ? Math.min(f.maxPowerW, Math.max(0, peak - (d.importW[t]! - p[k]!))) : 0;
          return { t, roomWh: room * STEP_H, price: d.importEurPerKWh[t]! };
        })
        .filter((s) => s.roomWh > 0)
        .sort((a, b) => a.price - b.price);
      let left = energyWh;
      let cost = 0;
      for (const s of slots) {
        if (left <= 1e-9) break;
        const e = Math.min(left, s.roomWh);
        cost += (e / 1000) * s.price;
        left -= e;
        hourHits[Math.floor(d.minuteOfDay[s.t]! / 60)]! += e;
      }
      if (left > 1e-6) continue; // could not be placed below the billing peak
      usedDays++;
      observed += Math.max(0, paid - cost);
      movedWh += energyWh;
    }
    if (usedDays === 0) continue;
    const yearEur = round2((observed * 365) / usedDays);
    if (yearEur < 1) {
      notes.push(`flexible load ${f.id}: the tariff's prices barely vary; shifting would save ${eur(yearEur)} per year`);
      continue;
    }
    const bestHour = hourHits.indexOf(Math.max(...hourHits));
    out.push({
      id: `shift-${f.id}`,
      kind: 'shift-load',
      title: `Run ${f.id} (${f.kind}) in the cheapest hours of each day`,
      reason:
        `${f.id} used ${kWh(movedWh / usedDays)} per day on ${usedDays} days. Moved to the cheapest 15-minute steps of the same ${c.timeZone} day ` +
        `(at most ${(f.maxPowerW / 1000).toFixed(1)} kW, never above the billing peak so far), most often ${hhmm(bestHour * 60)}–${hhmm(bestHour * 60 + 60)} ${c.timeZone}, ` +
        `it would have cost ${eur(observed)} less (${eur(observed / usedDays)} per day): ${eur(yearEur)} per year. Assumes the load may run any time of its day.`,
      expectedSavingEur: yearEur,
      savingPeriod: 'year',
      observedSavingEur: round2(observed),
      confidence: round2(0.3 + 0.4 * Math.min(1, usedDays / 28)),
      evidence: {
        series: [f.powerSeries!, c.energy.grid.powerSeries],
        from: c.window.from,
        to: c.window.to,
        days: usedDays,
        figures: { energyKwhPerDay: round2(movedWh / usedDays / 1000), cheapestHourLocal: bestHour, maxPowerKw: f.maxPowerW / 1000 },
      },
      action: { flexibleLoadId: f.id, window: 'cheapest steps of the day' },
    });
  }
  return out;
}

function negativePriceRecommendations(c: RecommendContext, d: Derived): Recommendation[] {
  const out: Recommendation[] = [];
  const days = validDays(d);
  const nDays = Math.max(1, days.length);
  // export at a negative feed-in price: every kWh costs money
  let lossEur = 0;
  let lossWh = 0;
  let lossSteps = 0;
  d.exportW.forEach((w, t) => {
    const price = d.exportEurPerKWh[t]!;
    if (fin(w) && w > 0 && fin(price) && price < 0) {
      lossEur += ((w * STEP_H) / 1000) * -price;
      lossWh += w * STEP_H;
      lossSteps++;
    }
  });
  // below 1 EUR a year it is not worth an operator's attention
  if ((lossEur * 365) / nDays >= 1) {
    const curtailable = c.energy.pv.some((p) => p.deviceId !== undefined);
    const yearEur = round2((lossEur * 365) / nDays);
    const already = c.energy.noExportAtNegativePrice;
    out.push({
      id: 'negative-price-export',
      kind: 'negative-price-export',
      title: already ? 'Check PV curtailment: feed-in happened at negative prices' : 'Stop feed-in at negative prices',
      reason:
        `${kWh(lossWh)} were fed in during ${lossSteps} quarter-hours with a negative feed-in price (${c.timeZone} days ${c.window.from.slice(0, 10)} – ${c.window.to.slice(0, 10)}), costing ${eur(lossEur)}: ${eur(yearEur)} per year. ` +
        (already
          ? 'noExportAtNegativePrice is already set: the curtailment did not work (check the PV device and its limit setpoint).'
          : curtailable
            ? 'Set noExportAtNegativePrice (§51 EEG) so the planner curtails PV or charges the battery instead.'
            : 'No PV inverter has a controllable device configured: add one (deviceId, limit setpoint) to curtail.'),
      expectedSavingEur: yearEur,
      savingPeriod: 'year',
      observedSavingEur: round2(lossEur),
      confidence: round2((curtailable ? 0.6 : 0.4) * Math.min(1, 0.5 + days.length / 180)),
      evidence: {
        series: [c.energy.grid.powerSeries, 'day-ahead prices'],
        from: c.window.from,
        to: c.window.to,
        days: days.length,
        figures: { exportedKwhAtNegativePrice: round2(lossWh / 1000), steps: lossSteps },
      },
      action: { noExportAtNegativePrice: true },
    });
  }
  // import at a negative price: a battery with room could have been paid to charge
  const bat = aggregateBattery(c.energy);
  if (bat.capacityWh > 0) {
    let gainEur = 0;
    let gainWh = 0;
    for (const [, idx] of days) {
      const neg = idx
        .filter((t) => fin(d.importEurPerKWh[t]!) && d.importEurPerKWh[t]! < 0)
        .sort((a, b) => d.importEurPerKWh[a]! - d.importEurPerKWh[b]!);
      let roomWh = bat.socMaxWh - bat.socMinWh;
      for (const t of neg) {
        const charging = fin(c.history.batteryW[t]!) ? Math.max(0, -c.history.batteryW[t]!) : 0;
        const e = Math.min(roomWh, Math.max(0, bat.maxChargeW - charging) * STEP_H);
        if (e <= 0) continue;
        roomWh -= e;
        gainWh += e;
        gainEur += (e / 1000) * -d.importEurPerKWh[t]!;
      }
    }
    if ((gainEur * 365) / nDays >= 1) {
      const yearEur = round2((gainEur * 365) / nDays);
      out.push({
        id: 'negative-price-charge',
        kind: 'negative-price-charge',
        title: 'Charge the battery from the grid when the import price is negative',
        reason:
          `The import price (spot, surcharges, grid fees${c.tariff.vat && !c.tariff.vat.reclaimed ? ', VAT' : ''}) was negative in some quarter-hours; the battery had room for ${kWh(gainWh)} more then, ` +
          `which would have earned ${eur(gainEur)}: ${eur(yearEur)} per year (counting only the negative price, not the later use of the energy). ` +
          'Allow grid charging below 0 EUR/MWh (rule gridChargeBelowPrice with maxPriceEurPerMWh 0 instead of noGridCharge).',
        expectedSavingEur: yearEur,
        savingPeriod: 'year',
        observedSavingEur: round2(gainEur),
        confidence: 0.4,
        evidence: {
          series: [c.energy.grid.powerSeries, ...c.energy.batteries.map((b) => b.powerSeries), 'day-ahead prices'],
          from: c.window.from,
          to: c.window.to,
          days: days.length,
          figures: { chargeableKwh: round2(gainWh / 1000) },
        },
        action: {
          rule: { id: 'charge-at-negative-price', type: 'gridChargeBelowPrice', priority: 250, enabled: true, maxPriceEurPerMWh: 0 },
        },
      });
    }
  }
  return out;
}

/** The recommendations for a site now, from the history window it is given. */
export function recommend(c: RecommendContext): RecommendResult {
  const notes: string[] = [];
  const d = derive(c.history, c.tariff, c.timeZone);
  const days = validDays(d).length;
  if (days < 7) notes.push(`only ${days} days with grid data: estimates are rough (28 or more are better)`);
  const recs =
    days === 0 ? [] : [...peakRecommendations(c, d, notes), ...shiftRecommendations(c, d, notes), ...negativePriceRecommendations(c, d)];
  if (days === 0) notes.push('no day with at least half of its grid readings: nothing to recommend');
  const ranked = recs
    .sort((a, b) => b.expectedSavingEur * b.confidence - a.expectedSavingEur * a.confidence || a.id.localeCompare(b.id))
    .map((r, i) => ({ ...r, rank: i + 1 }));
  return {
    generatedAt: new Date(c.nowMs).toISOString(),
    timeZone: c.timeZone,
    window: { ...c.window, days },
    recommendations: ranked,
    notes,
  };
}
