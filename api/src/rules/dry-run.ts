/**
 * Dry run over history: replays past steps (load, PV, price, and the battery power the plan or
 * controller asked for) once as they were asked and once through the rule set, with the same
 * battery physics, and reports what each rule changed and what that did to the bill (priced by
 * the tariff module's costBreakdown). Pure.
 */
import { costBreakdown } from '../tariffs/cost.js';
import type { Tariff } from '../tariffs/schema.js';
import { applyRules, type BatteryLimits, type RuleChange } from './engine.js';
import type { RuleSet } from './schema.js';

const STEP_MS = 900_000;
const STEP_H = 0.25;

export interface History {
  startMs: number;
  loadW: readonly number[];
  pvW: readonly number[];
  spotPriceEurPerMWh: readonly number[];
  /** the battery power that was asked for per step (+ discharge), W */
  intentBatteryPowerW: readonly number[];
  initialSocWh: number;
}

export interface RuleEffect {
  ruleId: string;
  stepsChanged: number;
  /** Σ |Δ battery power| × Δt, Wh */
  batteryEnergyShiftedWh: number;
  /** PV held back by the rule's caps, Wh */
  pvCappedWh: number;
  /** first few changes, for the operator to read */
  examples: (RuleChange & { atMs: number })[];
}

export interface DryRun {
  ruleSet: { id: string; version: number };
  steps: number;
  withoutRules: { totalEur: number; peakKw: number; exportPeakKw: number };
  withRules: { totalEur: number; peakKw: number; exportPeakKw: number };
  /** withRules − withoutRules (positive: the rules cost money) */
  costDeltaEur: number;
  rules: RuleEffect[];
}

function run(h: History, battery: BatteryLimits, tariff: Tariff, grid: { exportLimitW: number }, set: RuleSet | null) {
  const n = h.loadW.length;
  const imp: number[] = [];
  const exp: number[] = [];
  const changes: (RuleChange & { atMs: number; pvCappedWh: number })[] = [];
  let soc = h.initialSocWh;
  let exportPeak = 0;
  for (let t = 0; t < n; t++) {
    const atMs = h.startMs + t * STEP_MS;
    let intent: { batteryPowerW: number; pvCapW?: number } = { batteryPowerW: h.intentBatteryPowerW[t]! };
    if (set) {
      const r = applyRules(
        set,
        { atMs, loadW: h.loadW[t]!, pvW: h.pvW[t]!, spotPriceEurPerMWh: h.spotPriceEurPerMWh[t]!, socWh: soc, battery },
        intent,
      );
      intent = r.intent;
      for (const c of r.changes) {
        const capped = c.field === 'pvCapW' ? Math.max(0, h.pvW[t]! - c.to) * STEP_H : 0;
        changes.push({ ...c, atMs, pvCappedWh: capped });
      }
    }
    const maxDis = Math.max(0, Math.min(battery.maxDischargeW, ((soc - battery.socMinWh) * battery.dischargeEfficiency) / STEP_H));
    const maxCh = Math.max(0, Math.min(battery.maxChargeW, (battery.socMaxWh - soc) / (battery.chargeEfficiency * STEP_H)));
    const p = Math.max(-maxCh, Math.min(maxDis, intent.batteryPowerW));
    soc -= p > 0 ? (p * STEP_H) / battery.dischargeEfficiency : p * STEP_H * battery.chargeEfficiency;
    let pv = Math.min(h.pvW[t]!, intent.pvCapW ?? Infinity);
    let net = h.loadW[t]! - pv - p;
    if (-net > grid.exportLimitW) {
      pv -= -net - grid.exportLimitW;
      net = -grid.exportLimitW;
    }
    imp.push(Math.max(0, net) * STEP_H);
    exp.push(Math.max(0, -net) * STEP_H);
    exportPeak = Math.max(exportPeak, Math.max(0, -net));
  }
  const b = costBreakdown(
    tariff,
    { start: new Date(h.startMs), importEnergyWh: imp, exportEnergyWh: exp },
    { spotPriceEurPerMWh: h.spotPriceEurPerMWh },
  );
  return { totalEur: b.totalEur, peakKw: b.demandCharge.peakKw, exportPeakKw: exportPeak / 1000, changes };
}

export function dryRun(set: RuleSet, history: History, battery: BatteryLimits, tariff: Tariff, grid: { exportLimitW: number }): DryRun {
  const n = history.loadW.length;
  for (const [name, s] of [
    ['pvW', history.pvW],
    ['spotPriceEurPerMWh', history.spotPriceEurPerMWh],
    ['intentBatteryPowerW', history.intentBatteryPowerW],
  ] as const) {
    if (s.length !== n) throw new RangeError(`history.${name} has ${s.length} values, loadW has ${n}`);
  }
  const without = run(history, battery, tariff, grid, null);
  const withR = run(history, battery, tariff, grid, set);
  const effects = new Map<string, RuleEffect>(
    set.rules.map((r) => [r.id, { ruleId: r.id, stepsChanged: 0, batteryEnergyShiftedWh: 0, pvCappedWh: 0, examples: [] }]),
  );
  const stepsSeen = new Map<string, Set<number>>();
  for (const c of withR.changes) {
    const e = effects.get(c.ruleId)!;
    const seen = stepsSeen.get(c.ruleId) ?? new Set<number>();
    seen.add(c.atMs);
    stepsSeen.set(c.ruleId, seen);
    if (c.field === 'batteryPowerW') e.batteryEnergyShiftedWh += Math.abs(c.to - (c.from ?? 0)) * STEP_H;
    e.pvCappedWh += c.pvCappedWh;
    if (e.examples.length < 5) {
      const { pvCappedWh: _omit, ...example } = c;
      e.examples.push(example);
    }
  }
  for (const [id, seen] of stepsSeen) effects.get(id)!.stepsChanged = seen.size;
  const strip = (r: ReturnType<typeof run>) => ({ totalEur: r.totalEur, peakKw: r.peakKw, exportPeakKw: r.exportPeakKw });
  return {
    ruleSet: { id: set.id, version: set.version },
    steps: n,
    withoutRules: strip(without),
    withRules: strip(withR),
    costDeltaEur: withR.totalEur - without.totalEur,
    rules: [...effects.values()],
  };
}
