/**
 * The rules engine (pure): each control tick, the enabled rules whose window contains the tick
 * adjust the intent (battery power, PV cap) in ascending priority — the highest priority has the
 * last word. Every adjustment is reported with the rule that made it.
 */
import { localParts, parseHhMm } from '../tariffs/local-time.js';
import type { Rule, RuleSet } from './schema.js';

const STEP_H = 0.25;

export interface BatteryLimits {
  capacityWh: number;
  socMinWh: number;
  socMaxWh: number;
  maxChargeW: number;
  maxDischargeW: number;
  chargeEfficiency: number;
  dischargeEfficiency: number;
}

export interface TickState {
  /** start of the 15-minute step, UTC ms */
  atMs: number;
  loadW: number;
  pvW: number;
  spotPriceEurPerMWh: number;
  socWh: number;
  battery: BatteryLimits;
}

export interface Intent {
  /** + discharge, − charge, W */
  batteryPowerW: number;
  /** PV output cap, W (absent = no cap) */
  pvCapW?: number;
}

export interface RuleChange {
  ruleId: string;
  field: 'batteryPowerW' | 'pvCapW';
  from: number | null;
  to: number;
  reason: string;
}

export interface TickResult {
  intent: Intent;
  changes: RuleChange[];
  ruleSet: { id: string; version: number };
}

function inWindow(rule: Rule, atMs: number, timeZone: string): boolean {
  if (!rule.window) return true;
  const p = localParts(atMs, timeZone);
  if (rule.window.days && !rule.window.days.includes(p.weekday)) return false;
  return p.minuteOfDay >= parseHhMm(rule.window.from) && p.minuteOfDay < parseHhMm(rule.window.to);
}

/** most the battery can discharge / charge this step given its SoC, W */
function dischargeRoomW(s: TickState, floorWh: number): number {
  return Math.max(0, Math.min(s.battery.maxDischargeW, ((s.socWh - floorWh) * s.battery.dischargeEfficiency) / STEP_H));
}
function chargeRoomW(s: TickState): number {
  return Math.max(0, Math.min(s.battery.maxChargeW, (s.battery.socMaxWh - s.socWh) / (s.battery.chargeEfficiency * STEP_H)));
}

function applyOne(rule: Rule, s: TickState, intent: Intent): { intent: Intent; changes: RuleChange[] } {
  const changes: RuleChange[] = [];
  let p = intent.batteryPowerW;
  let cap = intent.pvCapW;
  const pv = () => Math.min(s.pvW, cap ?? Infinity);
  const setP = (to: number, reason: string) => {
    if (Math.abs(to - p) > 1e-6) changes.push({ ruleId: rule.id, field: 'batteryPowerW', from: p, to, reason });
    p = to;
  };
  switch (rule.type) {
    case 'socReserve': {
      const reserveWh = Math.max(s.battery.socMinWh, (rule.minSocPercent / 100) * s.battery.capacityWh);
      const room = dischargeRoomW(s, reserveWh);
      if (p > room) setP(room, `keep ${rule.minSocPercent} % SoC in reserve`);
      break;
    }
    case 'exportLimit': {
      let exportW = pv() - s.loadW + p;
      if (exportW > rule.maxExportW) {
        // first less discharge / more charging, then a PV cap
        const target = Math.max(-chargeRoomW(s), p - (exportW - rule.maxExportW));
        setP(Math.min(p, target), `export above ${rule.maxExportW} W`);
        exportW = pv() - s.loadW + p;
        if (exportW > rule.maxExportW + 1e-6) {
          const to = Math.max(0, pv() - (exportW - rule.maxExportW));
          changes.push({ ruleId: rule.id, field: 'pvCapW', from: cap ?? null, to, reason: `export above ${rule.maxExportW} W` });
          cap = to;
        }
      }
      break;
    }
    case 'importLimit': {
      const importW = s.loadW - pv() - p;
      if (importW > rule.maxImportW) {
        const to = Math.min(Math.max(p, dischargeRoomW(s, s.battery.socMinWh)), p + importW - rule.maxImportW);
        setP(to, `import above ${rule.maxImportW} W`);
      }
      break;
    }
    case 'gridChargeBelowPrice':
    case 'noGridCharge': {
      if (rule.type === 'gridChargeBelowPrice' && s.spotPriceEurPerMWh < rule.maxPriceEurPerMWh) break;
      const surplus = Math.max(0, pv() - s.loadW);
      if (p < -surplus) {
        const why =
          rule.type === 'noGridCharge'
            ? 'no charging from the grid'
            : Number.isFinite(s.spotPriceEurPerMWh)
              ? `price ${s.spotPriceEurPerMWh} ≥ ${rule.maxPriceEurPerMWh} EUR/MWh`
              : `price unknown (limit ${rule.maxPriceEurPerMWh} EUR/MWh)`;
        setP(-surplus, why);
      }
      break;
    }
  }
  return { intent: { batteryPowerW: p, ...(cap !== undefined ? { pvCapW: cap } : {}) }, changes };
}

/** Applies the rule set to one tick's intent. */
export function applyRules(set: RuleSet, state: TickState, intent: Intent): TickResult {
  const rules = set.rules.filter((r) => r.enabled && inWindow(r, state.atMs, set.timeZone)).sort((a, b) => a.priority - b.priority);
  let current = intent;
  const changes: RuleChange[] = [];
  for (const r of rules) {
    const out = applyOne(r, state, current);
    current = out.intent;
    changes.push(...out.changes);
  }
  return { intent: current, changes, ruleSet: { id: set.id, version: set.version } };
}
