/**
 * STABLE CONTRACT between planning (api/src/planning), grid signals and overrides
 * (api/src/control/inputs*), the control agents (api/src/control) and the live API (api/src/live).
 * Change additively only.
 *
 * Powers in W; battery + discharge / − charge; flexible loads ≥ 0 consumption; PV limit in W of AC output.
 */

/** One 15-minute step of the plan the agents follow. */
export interface ActivePlanStep {
  startMs: number;
  /** planned grid import (+) / export (−), W */
  gridW: number;
  /** planned battery power per battery asset id, W (+ discharge) */
  batteryW: Record<string, number>;
  /** planned SoC at the end of the step per battery asset id, % */
  batterySocPct: Record<string, number>;
  /** planned PV output cap per PV asset id, W (absent = no curtailment) */
  pvCapW: Record<string, number>;
  /** planned power per flexible load asset id, W */
  flexibleW: Record<string, number>;
}

/** The plan in force: what the optimiser decided, stored, with its peak target. */
export interface ActivePlan {
  id: string;
  siteId: string;
  createdAtMs: number;
  /** why it was made: schedule, prices, forecast, deviation, signal, manual, startup */
  reason: string;
  /** the billing period's import peak the plan holds (max(peak so far, planned peak)), W: real-time peak shaving keeps import at or below it */
  peakTargetW: number;
  steps: ActivePlanStep[];
}

export interface PlanSource {
  /** the newest plan covering nowMs, if any */
  active(siteId: string, nowMs: number): Promise<ActivePlan | undefined>;
}

export type AssetKind = 'battery' | 'pv' | 'flexible';

/** A person's fixed setpoint for an asset; it beats plan, rules and live corrections until it expires or is released. */
export interface Override {
  id: string;
  siteId: string;
  assetId: string;
  /** the fixed setpoint (battery: + discharge; PV: cap in W; flexible: W) */
  setpointW: number;
  createdAtMs: number;
  expiresAtMs: number;
  userId?: string;
  userName?: string;
  reason?: string;
  /** set when handed back to automation before the expiry */
  releasedAtMs?: number;
}

export type GridSignalKind =
  /** §14a EnWG: controllable consumption devices together at most maxControllablePowerW */
  | 'section14a-dimming'
  /** Redispatch 2.0 curtailment: PV output at most maxPvPowerW and/or feed-in at most maxExportPowerW */
  | 'redispatch-curtailment'
  /** Redispatch 2.0 activation: the site's grid power held at targetGridW (e.g. battery discharge for the DSO) */
  | 'redispatch-activation';

export interface GridSignal {
  id: string;
  siteId: string;
  kind: GridSignalKind;
  fromMs: number;
  toMs: number;
  maxControllablePowerW?: number;
  maxPvPowerW?: number;
  maxExportPowerW?: number;
  targetGridW?: number;
  source: 'api' | 'mqtt' | 'modbus';
  /** the grid operator's reference (order id), if any */
  reference?: string;
  receivedAtMs: number;
  /** cancelled by the operator before toMs */
  cancelledAtMs?: number;
}

export interface ControlInputs {
  overrides(siteId: string, nowMs: number): Override[];
  signals(siteId: string, nowMs: number): GridSignal[];
  /** called whenever an override or signal is created, released or cancelled (the agents act on the next tick or at once) */
  onChange(listener: (siteId: string) => void): () => void;
}

export type CommandSource = 'plan' | 'rule' | 'live-correction' | 'peak-shaving' | 'grid-signal' | 'manual' | 'safe-state';

/** One setpoint command as the audit and the live API show it. */
export interface CommandRecord {
  siteId: string;
  assetId: string;
  deviceId: string;
  setpoint: string;
  /** what the deciding layer asked for, W */
  requestedW: number;
  /** what was written after the safety envelope, W */
  writtenW: number;
  /** envelope limits that clamped it (e.g. 'soc-min', 'ramp', 'import-limit', 'section14a') */
  clampedBy: string[];
  source: CommandSource;
  revertTimeoutS: number;
  atMs: number;
  /** device result */
  result: 'ok' | 'failed' | 'skipped';
  error?: string;
  userId?: string;
  userName?: string;
}
