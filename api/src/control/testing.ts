/** Test support for the control tests and the benchmark: an in-memory ControlInputs, a constant plan, true quarter-hour load/PV and the 2023 prices. */
import { readFileSync } from 'node:fs';
import type { DemoYear } from '../demo/replay.js';
import { DEMO_PRICES_FILE } from '../events/services.js';
import { STEP_MS } from '../optimiser/model.js';
import type { ActivePlan, ControlInputs, GridSignal, Override } from './model.js';

export class MemoryInputs implements ControlInputs {
  readonly overridesList: Override[] = [];
  readonly signalsList: GridSignal[] = [];
  private readonly listeners = new Set<(siteId: string) => void>();
  overrides(siteId: string, nowMs: number) {
    return this.overridesList.filter((o) => o.siteId === siteId && nowMs < o.expiresAtMs && (o.releasedAtMs ?? Infinity) > nowMs);
  }
  signals(siteId: string, nowMs: number) {
    return this.signalsList.filter(
      (s) => s.siteId === siteId && s.fromMs <= nowMs && nowMs < s.toMs && (s.cancelledAtMs ?? Infinity) > nowMs,
    );
  }
  onChange(l: (siteId: string) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  changed(siteId: string) {
    for (const l of this.listeners) l(siteId);
  }
}

export function constantPlan(siteId: string, fromMs: number, batteryW: number, hours = 6, peakTargetW = 2_000_000): ActivePlan {
  const start = Math.floor(fromMs / 900_000) * 900_000;
  return {
    id: `plan-${batteryW}`,
    siteId,
    createdAtMs: fromMs,
    reason: 'test',
    peakTargetW,
    steps: Array.from({ length: hours * 4 }, (_, k) => ({
      startMs: start + k * 900_000,
      gridW: 200_000 - batteryW,
      batteryW: { battery: batteryW },
      batterySocPct: { battery: 50 },
      pvCapW: {},
      flexibleW: {},
    })),
  };
}

/** The demo year's quarter-hour means (linear between its 15-minute points, as the simulator interpolates), W. */
export function quarterMeans(demo: DemoYear, which: 'loadKw' | 'pvKw', fromMs: number, n: number): number[] {
  const a = demo[which];
  const i0 = (fromMs - Date.UTC(demo.year, 0, 1)) / STEP_MS;
  return Array.from({ length: n }, (_, k) => ((a[(i0 + k) % a.length]! + a[(i0 + k + 1) % a.length]!) / 2) * 1000);
}

export function hourlyPrices(): Map<number, number> {
  const m = new Map<number, number>();
  for (const line of readFileSync(DEMO_PRICES_FILE, 'utf8').trim().split('\n').slice(1)) {
    const [ts, , p] = line.split(',');
    m.set(Date.parse(ts!), Number(p));
  }
  return m;
}
