/**
 * Peak recommendations (pure): from the distribution of daily import peaks and the battery, the
 * level the billing peak could be held at (→ peak target) and the SoC reserve, with its window,
 * needed before the recurring peak to hold it.
 */
import { aggregateBattery } from '../rules/history-run.js';
import type { Rule } from '../rules/schema.js';
import { STEP_H, eur, groupBy, hhmm, holdablePeakW, kW, kWh, quantile, round2, shaveAtLevel, type Derived } from './analysis.js';
import type { Recommendation, RecommendContext } from './generate.js';

const fin = Number.isFinite;

/**
 * Share of the usable capacity the level may rely on: the other half stays for forecast errors,
 * arbitrage and the days the history did not show. A planning margin, not a physical limit.
 */
export const SHAVING_SHARE = 0.5;

export function peakRecommendations(c: RecommendContext, d: Derived, notes: string[]): Recommendation[] {
  const dc = c.tariff.grid.demandCharge;
  if (!dc || dc.priceEurPerKwPerYear <= 0) {
    notes.push(`tariff ${c.tariff.id} has no demand charge: no peak-target or reserve recommendation`);
    return [];
  }
  const bat = aggregateBattery(c.energy);
  if (bat.capacityWh <= 0) {
    notes.push('the site has no battery: the peak cannot be held lower by a reserve');
    return [];
  }
  const vat = c.tariff.vat && !c.tariff.vat.reclaimed ? c.tariff.vat.percent / 100 : 0;
  const priceEurPerKwYear = dc.priceEurPerKwPerYear * (1 + vat);
  const shaving = {
    usableWh: SHAVING_SHARE * (bat.socMaxWh - bat.socMinWh),
    maxChargeW: bat.maxChargeW,
    maxDischargeW: bat.maxDischargeW,
    chargeEfficiency: bat.chargeEfficiency,
    dischargeEfficiency: bat.dischargeEfficiency,
  };

  // valid days only (at least half of the steps known), grouped into billing periods
  const days = [...groupBy(d.day)].filter(([, idx]) => idx.filter((t) => fin(d.importW[t]!)).length * 2 >= idx.length);
  if (days.length === 0) return [];
  const periods = new Map<string, [string, number[]][]>();
  for (const [day, idx] of days) {
    const p = d.period[idx[0]!]!;
    periods.set(p, [...(periods.get(p) ?? []), [day, idx]]);
  }
  const perPeriod = [...periods].map(([period, ds]) => {
    const levelW = holdablePeakW(
      ds.flatMap(([, idx]) => idx.map((t) => d.grossW[t]!)),
      shaving,
    );
    const peakW = Math.max(0, ...ds.flatMap(([, idx]) => idx.map((t) => d.importW[t]!).filter(fin)));
    return { period, days: ds, levelW, peakW, cutW: Math.max(0, peakW - levelW) };
  });
  const monthly = dc.billingPeriod === 'month';
  // per year: monthly = mean cut × price (each month is charged price/12), yearly = the cut of the year
  const meanCutW = perPeriod.reduce((s, p) => s + p.cutW, 0) / perPeriod.length;
  const yearEur = round2((meanCutW / 1000) * priceEurPerKwYear);
  const observedEur = round2(perPeriod.reduce((s, p) => s + (p.cutW / 1000) * priceEurPerKwYear * (monthly ? 1 / 12 : 1), 0));
  const last = perPeriod[perPeriod.length - 1]!;
  const targetW = Math.ceil(last.levelW / 1000) * 1000;

  const dailyPeaks = days.map(([day, idx]) => {
    let best = -1;
    let at = idx[0]!;
    for (const t of idx) if (fin(d.importW[t]!) && d.importW[t]! > best) [best, at] = [d.importW[t]!, t];
    return { day, peakW: Math.max(0, best), at };
  });
  const p50 = quantile(
    dailyPeaks.map((x) => x.peakW),
    0.5,
  );
  const p90 = quantile(
    dailyPeaks.map((x) => x.peakW),
    0.9,
  );
  const top = dailyPeaks.reduce((a, b) => (b.peakW > a.peakW ? b : a));
  const daysAbove = dailyPeaks.filter((x) => x.peakW > targetW).length;
  const coverage = monthly ? Math.min(1, days.length / 90) : Math.min(1, days.length / 365);
  const confidence = round2(0.3 + 0.5 * coverage);
  const distribution =
    `Daily import peaks over ${days.length} days (${c.timeZone} days ${days[0]![0]} – ${days[days.length - 1]![0]}): ` +
    `median ${kW(p50)}, 90 % ${kW(p90)}, highest ${kW(top.peakW)} on ${top.day} at ${hhmm(d.minuteOfDay[top.at]!)} ${c.timeZone}.`;
  const battery = `battery ${kWh(bat.capacityWh)} / ${kW(bat.maxDischargeW)} (relying on ${SHAVING_SHARE * 100} % of its usable energy)`;
  const evidence = {
    series: [
      c.energy.grid.powerSeries,
      c.energy.loadSeries,
      ...c.energy.pv.map((p) => p.powerSeries),
      ...c.energy.batteries.map((b) => b.powerSeries),
    ],
    from: c.window.from,
    to: c.window.to,
    days: days.length,
    figures: {
      dailyPeakMedianKw: round2(p50 / 1000),
      dailyPeakP90Kw: round2(p90 / 1000),
      dailyPeakMaxKw: round2(top.peakW / 1000),
      holdableKw: round2(last.levelW / 1000),
      billingPeakKw: round2(last.peakW / 1000),
      demandChargeEurPerKwYear: round2(priceEurPerKwYear),
      daysAboveTarget: daysAbove,
    },
  };
  const out: Recommendation[] = [];
  const current = c.energy.peakTargetW;

  if (current !== undefined && current < last.levelW * 0.98) {
    out.push({
      id: 'peak-target',
      kind: 'peak-target',
      title: `Raise the peak target from ${kW(current)} to ${kW(targetW)}`,
      reason:
        `${distribution} With the ${battery} (discharging above the level, recharging below it) the import can be held no lower than ${kW(last.levelW)} in ${last.period}, not at the target ${kW(current)}: ` +
        `an unreachable target makes the planner drain the battery for nothing. No direct saving is expected (0 EUR).`,
      expectedSavingEur: 0,
      savingPeriod: 'year',
      observedSavingEur: 0,
      confidence,
      evidence,
      action: { peakTargetW: targetW },
    });
  } else if (yearEur >= 1) {
    out.push({
      id: 'peak-target',
      kind: 'peak-target',
      title: `Set the peak target to ${kW(targetW)}${current !== undefined ? ` (now ${kW(current)})` : ''}`,
      reason:
        `${distribution} The billing peak${monthly ? 's' : ''} ${monthly ? 'were' : 'was'} up to ${kW(Math.max(...perPeriod.map((p) => p.peakW)))}; with the ${battery} ` +
        `discharging above the level and recharging below it, the import could have been held at ${kW(last.levelW)} throughout ${last.period}. Cutting ${kW(meanCutW)} off the ${monthly ? 'monthly' : 'annual'} peak ` +
        `at ${eur(priceEurPerKwYear)}/kW/a saves ${eur(yearEur)} per year. Needs the reserve of "peak-reserve".`,
      expectedSavingEur: yearEur,
      savingPeriod: 'year',
      observedSavingEur: observedEur,
      confidence,
      evidence,
      overlapsWith: ['peak-reserve'],
      action: { peakTargetW: targetW },
    });
  }
  if (yearEur < 1) return out;

  // the reserve: what the battery gives from the start of each day's peak to its lowest point, holding the target
  const steps = last.days.flatMap(([, idx]) => idx);
  const sim = shaveAtLevel(
    steps.map((t) => d.grossW[t]!),
    targetW,
    shaving,
  );
  const pos = new Map(steps.map((t, i) => [t, i]));
  const needDays = last.days
    .map(([day, idx]) => {
      const above = idx.filter((t) => fin(d.grossW[t]!) && d.grossW[t]! > targetW);
      if (above.length === 0) return undefined;
      const a = pos.get(above[0]!)!;
      const b = pos.get(above[above.length - 1]!)! + 1;
      return { day, above, wh: sim.socWh[a]! - Math.min(...sim.socWh.slice(a, b + 1)) };
    })
    .filter((x): x is { day: string; above: number[]; wh: number } => x !== undefined && x.wh > 0);
  if (needDays.length === 0) return out;
  const neededWh = Math.max(...needDays.map((x) => x.wh));
  const maxPct = c.energy.batteries.length ? Math.max(...c.energy.batteries.map((b) => b.socMaxPct)) : 100;
  const reservePct = Math.min(maxPct, Math.ceil(((bat.socMinWh + neededWh) / bat.capacityWh) * 100));
  const firsts: number[] = [];
  const lasts: number[] = [];
  const weekdays = new Set<string>();
  let lowSocDays = 0;
  let socKnownDays = 0;
  for (const { above } of needDays) {
    firsts.push(d.minuteOfDay[above[0]!]!);
    lasts.push(d.minuteOfDay[above[above.length - 1]!]! + 15);
    weekdays.add(d.weekday[above[0]!]!);
    const soc = c.history.socPct[above[0]!]!;
    if (fin(soc)) {
      socKnownDays++;
      if (soc < reservePct) lowSocDays++;
    }
  }
  const from = Math.max(0, Math.floor((quantile(firsts, 0.5) - 60) / 15) * 15);
  const to = Math.min(1440, Math.ceil(quantile(lasts, 0.5) / 15) * 15);
  const order = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  const rule: Rule = {
    id: 'peak-reserve',
    type: 'socReserve',
    priority: 150,
    enabled: true,
    minSocPercent: reservePct,
    ...(from < to ? { window: { days: order.filter((w) => weekdays.has(w)), from: hhmm(from), to: hhmm(to) } } : {}),
  };
  out.push({
    id: 'peak-reserve',
    kind: 'soc-reserve',
    title: `Keep ${reservePct} % SoC ${rule.window ? `from ${rule.window.from} to ${rule.window.to} ${c.timeZone}` : 'all day'} for the recurring peak`,
    reason:
      `On ${needDays.length} days of ${last.period} the demand net of PV rose above ${kW(targetW)}, typically from ${hhmm(quantile(firsts, 0.5))} to ` +
      `${hhmm(quantile(lasts, 0.5))} ${c.timeZone} on ${order.filter((w) => weekdays.has(w)).join(', ')}. Holding ${kW(targetW)} took up to ${kWh(neededWh)} ` +
      `from the battery (discharge losses included), i.e. ${reservePct} % SoC with the ${kWh(bat.socMinWh)} minimum.` +
      (socKnownDays > 0
        ? ` The SoC was below ${reservePct} % at the start of the peak on ${lowSocDays} of ${socKnownDays} of those days.`
        : ' No SoC was stored for those days.') +
      ` Part of the same ${eur(yearEur)} per year as "peak-target" (do not add them).`,
    expectedSavingEur: yearEur,
    savingPeriod: 'year',
    observedSavingEur: observedEur,
    confidence: round2(confidence * (socKnownDays > 0 ? 1 : 0.8)),
    evidence: {
      ...evidence,
      series: [...evidence.series, ...c.energy.batteries.map((b) => b.socSeries)],
      figures: {
        ...evidence.figures,
        neededKwh: round2(neededWh / 1000),
        peakDays: needDays.length,
        lowSocDays,
        socKnownDays,
        reservePct,
        stepH: STEP_H,
      },
    },
    overlapsWith: ['peak-target'],
    action: { rule },
  });
  return out;
}
