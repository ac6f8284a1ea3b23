/**
 * One control tick for one site (pure): measurements, plan, rules, overrides and grid signals in,
 * one decision per controllable asset out — what to write (after the safety envelope), why, and
 * the agent's mode. The service (service.ts) gathers the inputs, writes, audits and publishes.
 *
 * Precedence per asset (the first that applies decides the request; the envelope ALWAYS follows):
 *   manual override > grid signal > rules > real-time peak shaving > plan + live correction
 *
 *   plan step (batteryW, pvCapW, flexibleW) ─▶ live correction (absorb PV surplus the plan did not
 *   expect) ─▶ peak shaving (hold the quarter-hour average ≤ the plan's peak target) ─▶ applyRules
 *   ─▶ grid signals (§14a budget, redispatch caps, activation target) ─▶ override ─▶ envelope
 *
 * Automation off (sites.automation_enabled = false): only overrides are written (still through the
 * envelope, so §14a and redispatch limits hold); plan, rules, peak shaving and activation orders are
 * not. Stale data (the grid meter or the asset's own measurement older than staleAfterMs) or a
 * device that is not online: nothing is written for the asset — its revert timeout brings it to
 * its safe state — and the agent says 'stopped' with the reason.
 */
import type { ActivePlan, ActivePlanStep, AssetKind, CommandSource, GridSignal, Override } from './model.js';
import type { BatteryAsset, FlexibleLoadAsset, PvAsset, SiteEnergy } from '../site-energy/model.js';
import { applyRules, type RuleSet } from '../rules/index.js';
import { clampToEnvelope, type EnvelopeInput, type EnvelopeLimit } from './envelope.js';
import { peakShaving, runningQuarter, type PowerSample } from './peak.js';

export interface Sample {
  tsMs: number;
  value: number;
}

/** A device as the agent sees it: reachable or not, and its setpoint ranges. */
export interface DeviceView {
  /** online or degraded: writes are possible */
  writable: boolean;
  state: string;
  setpoints: { name: string; unit: string; min: number; max: number }[];
}

export interface TickInput {
  siteId: string;
  energy: SiteEnergy;
  nowMs: number;
  automationEnabled: boolean;
  plan: ActivePlan | undefined;
  overrides: readonly Override[];
  signals: readonly GridSignal[];
  rules: RuleSet | undefined;
  /** day-ahead price now, EUR/MWh (rules with a price condition); undefined = unknown: treated as +∞, so a price rule never allows grid charging on a price it does not know */
  spotPriceEurPerMWh?: number;
  /** newest sample per series key */
  latest: Readonly<Record<string, Sample | undefined>>;
  /** grid meter samples from shortly before the current quarter hour until now */
  gridSamples: readonly PowerSample[];
  devices: Readonly<Record<string, DeviceView | undefined>>;
  /** last written value per asset (ramp limits, and whether a PV limit is in force) */
  last: Readonly<Record<string, { writtenW: number; atMs: number } | undefined>>;
}

export type AgentMode = 'auto' | 'override' | 'grid-signal' | 'stopped';

export interface Command {
  deviceId: string;
  setpoint: string;
  /** the value in the setpoint's unit (W, kW or %) */
  deviceValue: number;
  requestedW: number;
  writtenW: number;
  clampedBy: EnvelopeLimit[];
  source: CommandSource;
  revertTimeoutS: number;
  override?: Override;
  signals?: GridSignal[];
}

export interface AssetDecision {
  assetId: string;
  kind: AssetKind;
  mode: AgentMode;
  reason?: string;
  /** age of the asset's newest measurement (or the grid meter's, the older of the two), ms */
  measurementAgeMs: number | null;
  command?: Command;
  /** what the envelope checked (tests verify the written value against it) */
  envelope?: EnvelopeInput;
}

export interface TickResult {
  decisions: AssetDecision[];
  /** peak shaving state of the tick */
  peak: { targetW: number | undefined; lineW?: number; projectedAverageW?: number; averageSoFarW?: number };
  planStep: ActivePlanStep | undefined;
}

const active = <T extends { fromMs?: number; toMs?: number; cancelledAtMs?: number; expiresAtMs?: number; releasedAtMs?: number }>(
  x: T,
  nowMs: number,
) =>
  (x.fromMs === undefined || x.fromMs <= nowMs) &&
  (x.toMs === undefined || nowMs < x.toMs) &&
  (x.cancelledAtMs === undefined || x.cancelledAtMs > nowMs) &&
  (x.expiresAtMs === undefined || nowMs < x.expiresAtMs) &&
  (x.releasedAtMs === undefined || x.releasedAtMs > nowMs);

export function planStepAt(plan: ActivePlan | undefined, nowMs: number): ActivePlanStep | undefined {
  if (!plan) return undefined;
  return plan.steps.find((s) => s.startMs <= nowMs && nowMs < s.startMs + 15 * 60_000);
}

/** The setpoint range of a device in W of the asset's convention; undefined = the setpoint is unknown. */
function rangeW(
  dev: DeviceView,
  setpoint: string,
  fullScaleW: number,
): { minW: number; maxW: number; toDevice: (w: number) => number } | undefined {
  const sp = dev.setpoints.find((s) => s.name === setpoint);
  if (!sp) return undefined;
  const unit = sp.unit.trim();
  if (unit === '%') {
    const k = fullScaleW / 100;
    return { minW: sp.min * k, maxW: sp.max * k, toDevice: (w) => Math.floor((w / k) * 100 + 1e-9) / 100 };
  }
  if (unit === 'kW') return { minW: sp.min * 1000, maxW: sp.max * 1000, toDevice: (w) => Math.round(w) / 1000 };
  return { minW: sp.min, maxW: sp.max, toDevice: (w) => Math.round(w) };
}

export function controlTick(i: TickInput): TickResult {
  const e = i.energy;
  const staleMs = e.control.staleAfterMs;
  const decisions: AssetDecision[] = [];
  const fresh = (s: Sample | undefined) => s !== undefined && i.nowMs - s.tsMs <= staleMs && Number.isFinite(s.value);
  const age = (...ss: (Sample | undefined)[]) => {
    const ts = ss.map((s) => s?.tsMs);
    if (ts.some((t) => t === undefined)) return null;
    return i.nowMs - Math.min(...(ts as number[]));
  };
  const grid = i.latest[e.grid.powerSeries];
  const step = planStepAt(i.plan, i.nowMs);
  const signals = i.signals.filter((s) => active(s, i.nowMs));
  const overrides = new Map(i.overrides.filter((o) => active(o, i.nowMs)).map((o) => [o.assetId, o]));
  const peakTargetW = i.plan?.peakTargetW ?? e.peakTargetW;
  const peak: TickResult['peak'] = { targetW: peakTargetW };

  const s14 = signals.filter((s) => s.kind === 'section14a-dimming' && s.maxControllablePowerW !== undefined);
  let s14BudgetW = s14.length ? Math.min(...s14.map((s) => s.maxControllablePowerW!)) : undefined;
  const curtail = signals.filter((s) => s.kind === 'redispatch-curtailment');
  const maxPvPowerW = curtail.some((s) => s.maxPvPowerW !== undefined)
    ? Math.min(...curtail.filter((s) => s.maxPvPowerW !== undefined).map((s) => s.maxPvPowerW!))
    : undefined;
  const maxExportPowerW = curtail.some((s) => s.maxExportPowerW !== undefined)
    ? Math.min(...curtail.filter((s) => s.maxExportPowerW !== undefined).map((s) => s.maxExportPowerW!))
    : undefined;
  const activation = signals.find((s) => s.kind === 'redispatch-activation' && s.targetGridW !== undefined);

  const stop = (assetId: string, kind: AssetKind, reason: string, ageMs: number | null) =>
    decisions.push({ assetId, kind, mode: 'stopped', reason, measurementAgeMs: ageMs });

  const gridFresh = fresh(grid);
  // the site's grid as it would be with the decisions taken so far (each asset changes it by written − measured)
  let gridNowW = grid?.value ?? 0;
  const connection = { importLimitW: e.grid.importLimitW, exportLimitW: e.grid.exportLimitW };

  /** common checks: grid meter fresh, the asset's own measurements fresh, device writable */
  const check = (assetId: string, kind: AssetKind, deviceId: string | undefined, own: (Sample | undefined)[]): string | undefined => {
    if (!gridFresh) return grid ? `stale data: grid meter ${Math.round((i.nowMs - grid.tsMs) / 1000)} s old` : 'no grid meter reading';
    const bad = own.find((s) => !fresh(s));
    if (own.length && bad !== undefined) return `stale data: newest ${kind} measurement ${Math.round((i.nowMs - bad.tsMs) / 1000)} s old`;
    if (own.some((s) => s === undefined)) return `no ${kind} measurement yet`;
    if (deviceId !== undefined) {
      const d = i.devices[deviceId];
      if (!d) return `device ${deviceId} is not running`;
      if (!d.writable) return `device ${deviceId} is ${d.state}`;
    }
    return undefined;
  };

  /** a PV cap the rules asked for (exportLimit), W for all PV together */
  let rulesPvCapW: number | undefined;

  /**
   * Common to every agent: fresh measurements and a writable device with the asset's setpoint, else
   * the agent stops (nothing written; the device's revert timeout takes over) and this returns undefined.
   */
  const ready = (
    assetId: string,
    kind: AssetKind,
    deviceId: string,
    setpoint: string,
    fullScaleW: number,
    own: (Sample | undefined)[],
    ageMs: number | null,
  ) => {
    const problem = check(assetId, kind, deviceId, own);
    if (problem) return void stop(assetId, kind, problem, ageMs);
    const range = rangeW(i.devices[deviceId]!, setpoint, fullScaleW);
    if (!range) return void stop(assetId, kind, `device ${deviceId} has no setpoint "${setpoint}"`, ageMs);
    return range;
  };
  /** a manual override: the request every other source yields to (the envelope still applies) */
  const overridden = (o: Override): Request => ({
    requestedW: o.setpointW,
    source: 'manual',
    mode: 'override',
    reason: `override by ${o.userName ?? o.userId ?? 'an operator'} until ${new Date(o.expiresAtMs).toISOString()}`,
  });
  /** a grid-operator signal decides the request */
  const bySignal = (r: Request, w: number, used: readonly GridSignal[], reason: string) => {
    r.requestedW = w;
    r.source = 'grid-signal';
    r.mode = 'grid-signal';
    r.usedSignals = [...new Set([...(r.usedSignals ?? []), ...used])];
    r.reason = reason;
  };
  const decide = (assetId: string, kind: AssetKind, r: Request, ageMs: number | null, envelope: EnvelopeInput, command?: Command) =>
    decisions.push({
      assetId,
      kind,
      mode: r.mode,
      ...(r.reason ? { reason: r.reason } : {}),
      measurementAgeMs: ageMs,
      envelope,
      ...(command ? { command } : {}),
    });

  // Flexible loads heading to their planned (or overridden) power this tick: battery peak shaving makes room
  // for them first, so a charging battery yields before a planned EV charge with a deadline is cut.
  const flexHeadingW = e.flexibleLoads.reduce((sum, f) => {
    const wantW = overrides.get(f.id)?.setpointW ?? step?.flexibleW[f.id];
    if (wantW === undefined) return sum;
    const measuredW = (f.powerSeries ? i.latest[f.powerSeries]?.value : undefined) ?? i.last[f.id]?.writtenW ?? 0;
    return sum + (wantW - measuredW);
  }, 0);

  // ── batteries ──
  for (const b of e.batteries) {
    const power = i.latest[b.powerSeries];
    const soc = i.latest[b.socSeries];
    const ageMs = age(grid, power, soc);
    const range = ready(b.id, 'battery', b.deviceId, b.setpoint, b.maxDischargeW, [power, soc], ageMs);
    if (!range) continue;
    const measuredW = power!.value;
    const baseW = gridNowW + measuredW; // the grid without this battery
    const o = overrides.get(b.id);
    if (!o && !i.automationEnabled) {
      stop(b.id, 'battery', 'automation off for the site', ageMs);
      continue;
    }
    let r: Request;
    if (o) r = overridden(o);
    else {
      // plan + live correction
      const planW = step?.batteryW[b.id] ?? 0;
      r = { requestedW: planW, source: 'plan', mode: 'auto' };
      if (!step) r.reason = 'no plan covers now: PV surplus charging and peak shaving only';
      const exportFloorW = step ? Math.min(0, step.gridW) : 0;
      const gridWithPlanW = baseW - planW;
      // (only while the battery can take it: a full battery leaves the surplus to the rules' PV cap)
      if (gridWithPlanW < exportFloorW - 1 && soc!.value < b.socMaxPct && planW > -b.maxChargeW) {
        r.requestedW = Math.max(-b.maxChargeW, planW - (exportFloorW - gridWithPlanW));
        r.source = 'live-correction';
      }
      // real-time peak shaving
      if (peakTargetW !== undefined && peakTargetW > 0) {
        const q = runningQuarter(i.gridSamples, i.nowMs);
        const ps = peakShaving({ targetW: peakTargetW, quarter: q, importNowW: baseW - r.requestedW + flexHeadingW });
        Object.assign(peak, { lineW: ps.lineW, projectedAverageW: ps.projectedAverageW, averageSoFarW: q.averageSoFarW });
        if (ps.reduceW > 0) {
          r.requestedW += ps.reduceW;
          r.source = 'peak-shaving';
        }
      }
      // rules
      if (i.rules) {
        const pvW = e.pv.reduce((a, p) => a + (i.latest[p.powerSeries]?.value ?? 0), 0);
        const ruled = applyRules(
          i.rules,
          {
            atMs: i.nowMs,
            loadW: Math.max(0, baseW + pvW),
            pvW,
            spotPriceEurPerMWh: i.spotPriceEurPerMWh ?? Number.POSITIVE_INFINITY,
            socWh: (soc!.value / 100) * b.capacityWh,
            battery: {
              capacityWh: b.capacityWh,
              socMinWh: (b.socMinPct / 100) * b.capacityWh,
              socMaxWh: (b.socMaxPct / 100) * b.capacityWh,
              maxChargeW: b.maxChargeW,
              maxDischargeW: b.maxDischargeW,
              chargeEfficiency: b.chargeEfficiency,
              dischargeEfficiency: b.dischargeEfficiency,
            },
          },
          { batteryPowerW: r.requestedW },
        );
        if (ruled.changes.some((c) => c.field === 'pvCapW') && ruled.intent.pvCapW !== undefined)
          rulesPvCapW = Math.min(rulesPvCapW ?? Infinity, ruled.intent.pvCapW);
        if (ruled.changes.some((c) => c.field === 'batteryPowerW')) {
          r.requestedW = ruled.intent.batteryPowerW;
          r.source = 'rule';
          r.reason = ruled.changes.map((c) => `${c.ruleId}: ${c.reason}`).join('; ');
        }
      }
      // grid signals
      if (activation)
        bySignal(r, baseW - activation.targetGridW!, [activation], `redispatch activation: grid at ${activation.targetGridW} W`);
      if (b.section14a && s14BudgetW !== undefined && r.requestedW < -s14BudgetW)
        bySignal(r, -s14BudgetW, s14, `§14a dimming: controllable devices at most ${s14BudgetW} W`);
      if (maxExportPowerW !== undefined && baseW - r.requestedW < -maxExportPowerW)
        bySignal(r, Math.max(0, baseW + maxExportPowerW), curtail, `redispatch: feed-in at most ${maxExportPowerW} W`);
    }
    const env: EnvelopeInput = {
      kind: 'battery',
      requestedW: r.requestedW,
      device: { minW: range.minW, maxW: range.maxW },
      gridW: gridNowW,
      measuredW,
      connection,
      nowMs: i.nowMs,
      ...(b.maxRampWPerS !== undefined ? { maxRampWPerS: b.maxRampWPerS } : {}),
      ...(i.last[b.id] ? { last: i.last[b.id]! } : {}),
      maxChargeW: b.maxChargeW,
      maxDischargeW: b.maxDischargeW,
      socPct: soc!.value,
      socMinPct: b.socMinPct,
      socMaxPct: b.socMaxPct,
      ...(b.section14a && s14BudgetW !== undefined ? { section14aMaxW: s14BudgetW } : {}),
      ...(maxExportPowerW !== undefined ? { maxExportPowerW } : {}),
    };
    const out = clampToEnvelope(env);
    if (b.section14a && s14BudgetW !== undefined) s14BudgetW = Math.max(0, s14BudgetW - Math.max(0, -out.writtenW));
    gridNowW = baseW - out.writtenW;
    decide(b.id, 'battery', r, ageMs, env, command(b, b.deviceId, b.setpoint, range.toDevice(out.writtenW), out, r, o));
  }

  // ── flexible loads ──
  for (const f of e.flexibleLoads) {
    const power = f.powerSeries ? i.latest[f.powerSeries] : undefined;
    const ageMs = f.powerSeries ? age(grid, power) : age(grid);
    const range = ready(f.id, 'flexible', f.deviceId, f.setpoint, f.maxPowerW, f.powerSeries ? [power] : [], ageMs);
    if (!range) continue;
    // without a power series, what was last written stands for the measurement
    const measuredW = power?.value ?? i.last[f.id]?.writtenW ?? 0;
    const o = overrides.get(f.id);
    if (!o && !i.automationEnabled) {
      stop(f.id, 'flexible', 'automation off for the site', ageMs);
      continue;
    }
    let r: Request;
    if (o) r = overridden(o);
    else if (step?.flexibleW[f.id] === undefined && !(f.section14a && s14BudgetW !== undefined)) {
      decisions.push({
        assetId: f.id,
        kind: 'flexible',
        mode: 'auto',
        reason: 'the plan has no setpoint for it: left to its own control',
        measurementAgeMs: ageMs,
      });
      continue;
    } else {
      r = { requestedW: step?.flexibleW[f.id] ?? measuredW, source: 'plan', mode: 'auto' };
      // peak shaving: what the batteries could not take off
      if (peakTargetW !== undefined && peak.lineW !== undefined) {
        const importW = gridNowW - measuredW + r.requestedW;
        if (importW > peak.lineW) {
          r.requestedW = Math.max(0, r.requestedW - (importW - peak.lineW));
          r.source = 'peak-shaving';
        }
      }
      if (f.section14a && s14BudgetW !== undefined && r.requestedW > s14BudgetW)
        bySignal(r, s14BudgetW, s14, `§14a dimming: controllable devices at most ${s14BudgetW} W`);
    }
    const env: EnvelopeInput = {
      kind: 'flexible',
      requestedW: r.requestedW,
      device: { minW: range.minW, maxW: range.maxW },
      gridW: gridNowW,
      measuredW,
      connection,
      nowMs: i.nowMs,
      ...(i.last[f.id] ? { last: i.last[f.id]! } : {}),
      minPowerW: f.minPowerW,
      maxPowerW: f.maxPowerW,
      ...(f.section14a && s14BudgetW !== undefined ? { section14aMaxW: s14BudgetW } : {}),
    };
    const out = clampToEnvelope(env);
    if (f.section14a && s14BudgetW !== undefined) s14BudgetW = Math.max(0, s14BudgetW - out.writtenW);
    gridNowW = gridNowW - measuredW + out.writtenW;
    decide(f.id, 'flexible', r, ageMs, env, command(f, f.deviceId, f.setpoint, range.toDevice(out.writtenW), out, r, o));
  }

  // ── PV curtailment ──
  const pvRatedTotalW = e.pv.reduce((a, p) => a + p.ratedW, 0);
  for (const p of e.pv) {
    if (p.deviceId === undefined) continue; // not curtailable: no agent
    const power = i.latest[p.powerSeries];
    const ageMs = age(grid, power);
    const range = ready(p.id, 'pv', p.deviceId, p.limitSetpoint, p.ratedW, [power], ageMs);
    if (!range) continue;
    const measuredW = power!.value;
    const share = p.ratedW / pvRatedTotalW;
    const o = overrides.get(p.id);
    if (!o && !i.automationEnabled) {
      stop(p.id, 'pv', 'automation off for the site', ageMs);
      continue;
    }
    let r: Request;
    if (o) r = overridden(o);
    else {
      r = { requestedW: step?.pvCapW[p.id] ?? p.ratedW, source: 'plan', mode: 'auto' };
      if (rulesPvCapW !== undefined && r.requestedW > rulesPvCapW * share) {
        r.requestedW = rulesPvCapW * share;
        r.source = 'rule';
        r.reason = `rules: PV at most ${Math.round(rulesPvCapW)} W`;
      }
      if (maxPvPowerW !== undefined && r.requestedW > maxPvPowerW * share)
        bySignal(r, maxPvPowerW * share, curtail, `redispatch: PV at most ${maxPvPowerW} W`);
      if (maxExportPowerW !== undefined) {
        const capW = Math.max(0, gridNowW + measuredW + maxExportPowerW);
        if (r.requestedW > capW) bySignal(r, capW, curtail, `redispatch: feed-in at most ${maxExportPowerW} W`);
      }
    }
    const env: EnvelopeInput = {
      kind: 'pv',
      requestedW: r.requestedW,
      device: { minW: range.minW, maxW: range.maxW },
      gridW: gridNowW,
      measuredW,
      connection,
      nowMs: i.nowMs,
      ...(i.last[p.id] ? { last: i.last[p.id]! } : {}),
      ratedW: p.ratedW,
      ...(maxPvPowerW !== undefined ? { maxPvPowerW: maxPvPowerW * share } : {}),
      ...(maxExportPowerW !== undefined ? { maxExportPowerW } : {}),
    };
    const out = clampToEnvelope(env);
    // no limit needed and none in force: nothing to write (the inverter runs free)
    const lastW = i.last[p.id]?.writtenW;
    if (out.writtenW >= p.ratedW - 1e-6 && (lastW === undefined || lastW >= p.ratedW - 1e-6) && r.source !== 'manual') {
      decide(p.id, 'pv', { ...r, reason: r.reason ?? 'no curtailment needed' }, ageMs, env);
      continue;
    }
    gridNowW = gridNowW + measuredW - Math.min(measuredW, out.writtenW);
    decide(p.id, 'pv', r, ageMs, env, command(p, p.deviceId, p.limitSetpoint, range.toDevice(out.writtenW), out, r, o));
  }
  return { decisions, peak, planStep: step };
}

/** An agent's request as the precedence chain builds it (override > grid signal > rules > peak shaving > plan). */
interface Request {
  requestedW: number;
  source: CommandSource;
  mode: AgentMode;
  reason?: string;
  usedSignals?: GridSignal[];
}

function command(
  asset: BatteryAsset | FlexibleLoadAsset | PvAsset,
  deviceId: string,
  setpoint: string,
  deviceValue: number,
  out: { writtenW: number; clampedBy: EnvelopeLimit[] },
  r: Request,
  override: Override | undefined,
): Command {
  return {
    deviceId,
    setpoint,
    deviceValue,
    requestedW: r.requestedW,
    writtenW: out.writtenW,
    clampedBy: out.clampedBy,
    source: r.source,
    revertTimeoutS: asset.revertTimeoutS,
    ...(r.source === 'manual' && override ? { override } : {}),
    ...(r.usedSignals?.length ? { signals: r.usedSignals } : {}),
  };
}
