/**
 * The simulated site, pure (no timers, no I/O; time comes in as arguments): load and available
 * PV from a profile (the demo year), a PV inverter with an active-power limit, a battery behind
 * its inverter, and the grid connection point that balances everything:
 *
 *   grid = load − pv + battery_charge − battery_discharge      (W, import positive)
 *
 * Setpoints carry a device-side revert timeout (as SunSpec's `*_RvrtTms`): when no new setpoint
 * arrives within it, the device falls back to its safe behaviour — the battery to 0 W (idle), the
 * PV inverter to 100 % (no limit). The timeout is checked at the start of every step, in
 * simulated time: with an accelerated clock a controller must write every `revert / speed` wall
 * seconds. Every step is returned as a `StepRecord` with all flows and energies so that a test
 * can sum them (see site.test.ts, the energy conservation over a simulated week).
 */
import { REFERENCE_BATTERY, stepBattery, validateBattery, type BatteryParams } from './battery.js';

export interface SiteParams {
  /** PV inverter AC rating, W: 100 % of the active power limit */
  pvRatedW: number;
  battery: BatteryParams;
  /** grid connection limits, W; exceeding one is recorded as a violation, not prevented */
  importLimitW: number;
  exportLimitW: number;
  /** battery SoC at the start, % */
  initialSocPct: number;
}

/** Musterwerk (../shared/guide/reference-site.md): PV 750 kWp, battery 1,000 kWh / 500 kW, connection 1,000 kW import / 700 kW export. */
export const REFERENCE_SITE: SiteParams = {
  pvRatedW: 750_000,
  battery: REFERENCE_BATTERY,
  importLimitW: 1_000_000,
  exportLimitW: 700_000,
  initialSocPct: 50,
};

/** What the site sees from outside at a time: the load and the PV power the sun makes available. */
export type SiteProfile = (tsMs: number) => { loadW: number; pvAvailableW: number };

export type Violation = 'import_limit' | 'export_limit';

export interface StepRecord {
  startMs: number;
  endMs: number;
  loadW: number;
  pvAvailableW: number;
  /** PV AC power after the active power limit */
  pvW: number;
  /** battery AC power: + discharge, − charge */
  batteryW: number;
  batteryChargeW: number;
  batteryDischargeW: number;
  /** import +, export − */
  gridW: number;
  socPct: number;
  /** the setpoints in force during the step (after reverts) */
  batterySetpointW: number;
  pvLimitPct: number;
  /** energies over the step, Wh */
  energy: {
    loadWh: number;
    pvWh: number;
    pvCurtailedWh: number;
    gridImportWh: number;
    gridExportWh: number;
    batteryChargeWh: number;
    batteryDischargeWh: number;
    batteryLossWh: number;
    batterySelfDischargeWh: number;
    storedWhBefore: number;
    storedWhAfter: number;
  };
  violations: Violation[];
  /** the revert timeouts that fired at the start of this step */
  reverted: Array<'battery' | 'pv'>;
}

interface Setpoint<T> {
  value: T;
  /** simulated time it was written, epoch ms */
  atMs: number;
  /** 0 = never reverts */
  revertMs: number;
}

/** Totals since the simulator was created (meter counters), Wh. */
export interface SiteCounters {
  gridImportWh: number;
  gridExportWh: number;
  pvWh: number;
  batteryChargeWh: number;
  batteryDischargeWh: number;
}

export class SiteSimulator {
  readonly params: SiteParams;
  private storedWh: number;
  private timeMs: number;
  private battery: Setpoint<number> | undefined;
  private pvLimit: Setpoint<number> | undefined;
  private lastRecord: StepRecord | undefined;
  readonly counters: SiteCounters = { gridImportWh: 0, gridExportWh: 0, pvWh: 0, batteryChargeWh: 0, batteryDischargeWh: 0 };

  constructor(
    private readonly profile: SiteProfile,
    startMs: number,
    params: SiteParams = REFERENCE_SITE,
  ) {
    validateBattery(params.battery);
    if (!(params.pvRatedW > 0)) throw new Error(`site: pvRatedW must be > 0 (got ${params.pvRatedW})`);
    if (!(params.initialSocPct >= 0 && params.initialSocPct <= 100))
      throw new Error(`site: initialSocPct must be 0–100 (got ${params.initialSocPct})`);
    this.params = params;
    this.storedWh = (params.battery.capacityWh * params.initialSocPct) / 100;
    this.timeMs = startMs;
  }

  /** simulated time the site has reached, epoch ms */
  get nowMs(): number {
    return this.timeMs;
  }

  get socPct(): number {
    return (this.storedWh / this.params.battery.capacityWh) * 100;
  }

  get storedEnergyWh(): number {
    return this.storedWh;
  }

  /** the last step, or undefined before the first */
  get last(): StepRecord | undefined {
    return this.lastRecord;
  }

  /** The battery setpoint in force now (0 W when none or reverted). */
  get batterySetpointW(): number {
    return this.battery?.value ?? 0;
  }

  /** The PV limit in force now (100 % when none or reverted). */
  get pvLimitPct(): number {
    return this.pvLimit?.value ?? 100;
  }

  /** true while a battery setpoint is in force (written and not reverted) */
  get batterySetpointActive(): boolean {
    return this.battery !== undefined;
  }

  /** true while a PV limit is in force (written and not reverted) */
  get pvLimitActive(): boolean {
    return this.pvLimit !== undefined;
  }

  /** Back to the battery's own behaviour (idle, 0 W) at once. */
  clearBatteryPower(): void {
    this.battery = undefined;
  }

  /** Requests battery AC power (+ discharge, − charge), W; `revertS` 0 = holds until the next write. */
  setBatteryPower(powerW: number, revertS: number, atMs = this.timeMs): void {
    if (!Number.isFinite(powerW)) throw new Error(`battery setpoint must be a finite number of W (got ${powerW})`);
    if (!(revertS >= 0)) throw new Error(`battery revert timeout must be ≥ 0 s (got ${revertS})`);
    this.battery = { value: powerW, atMs, revertMs: revertS * 1000 };
  }

  /** Limits PV active power to `pct` % of the rating (0–100); `revertS` 0 = holds until the next write. */
  setPvLimit(pct: number, revertS: number, atMs = this.timeMs): void {
    if (!(pct >= 0 && pct <= 100)) throw new Error(`PV limit must be 0–100 % (got ${pct})`);
    if (!(revertS >= 0)) throw new Error(`PV revert timeout must be ≥ 0 s (got ${revertS})`);
    this.pvLimit = { value: pct, atMs, revertMs: revertS * 1000 };
  }

  /** Clears the PV limit (back to 100 %). */
  clearPvLimit(): void {
    this.pvLimit = undefined;
  }

  /** Advances by one step of `dtMs` (> 0): powers are held constant over the step at their values at its start. */
  step(dtMs: number): StepRecord {
    if (!(dtMs > 0) || !Number.isFinite(dtMs)) throw new Error(`site: step must be > 0 ms (got ${dtMs})`);
    const startMs = this.timeMs;
    const reverted: StepRecord['reverted'] = [];
    if (this.battery && this.battery.revertMs > 0 && startMs >= this.battery.atMs + this.battery.revertMs) {
      this.battery = undefined;
      reverted.push('battery');
    }
    if (this.pvLimit && this.pvLimit.revertMs > 0 && startMs >= this.pvLimit.atMs + this.pvLimit.revertMs) {
      this.pvLimit = undefined;
      reverted.push('pv');
    }
    const { loadW, pvAvailableW } = this.profile(startMs);
    const pvLimitPct = this.pvLimitPct;
    const pvW = Math.max(0, Math.min(pvAvailableW, (this.params.pvRatedW * pvLimitPct) / 100));
    const batterySetpointW = this.batterySetpointW;
    const b = stepBattery(this.params.battery, this.storedWh, batterySetpointW, dtMs);
    const gridW = loadW - pvW + b.chargeW - b.dischargeW;
    const h = dtMs / 3_600_000;
    const violations: Violation[] = [];
    if (gridW > this.params.importLimitW) violations.push('import_limit');
    if (gridW < -this.params.exportLimitW) violations.push('export_limit');
    const record: StepRecord = {
      startMs,
      endMs: startMs + dtMs,
      loadW,
      pvAvailableW,
      pvW,
      batteryW: b.powerW,
      batteryChargeW: b.chargeW,
      batteryDischargeW: b.dischargeW,
      gridW,
      socPct: (b.storedWhAfter / this.params.battery.capacityWh) * 100,
      batterySetpointW,
      pvLimitPct,
      energy: {
        loadWh: loadW * h,
        pvWh: pvW * h,
        pvCurtailedWh: Math.max(0, pvAvailableW - pvW) * h,
        gridImportWh: Math.max(0, gridW) * h,
        gridExportWh: Math.max(0, -gridW) * h,
        batteryChargeWh: b.chargeW * h,
        batteryDischargeWh: b.dischargeW * h,
        batteryLossWh: b.lossWh,
        batterySelfDischargeWh: b.selfDischargeWh,
        storedWhBefore: b.storedWhBefore,
        storedWhAfter: b.storedWhAfter,
      },
      violations,
      reverted,
    };
    this.storedWh = b.storedWhAfter;
    this.timeMs = record.endMs;
    this.counters.gridImportWh += record.energy.gridImportWh;
    this.counters.gridExportWh += record.energy.gridExportWh;
    this.counters.pvWh += record.energy.pvWh;
    this.counters.batteryChargeWh += record.energy.batteryChargeWh;
    this.counters.batteryDischargeWh += record.energy.batteryDischargeWh;
    this.lastRecord = record;
    return record;
  }

  /** Steps up to `untilMs` in steps of at most `maxStepMs`; returns the records (none when already there). */
  advanceTo(untilMs: number, maxStepMs = 1_000): StepRecord[] {
    const out: StepRecord[] = [];
    while (this.timeMs < untilMs) out.push(this.step(Math.min(maxStepMs, untilMs - this.timeMs)));
    return out;
  }
}
