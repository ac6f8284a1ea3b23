/** Grid signals (control/model.ts GridSignal) → the optimiser's §14a dimming windows and redispatch orders (pure). */
import type { GridSignal } from '../control/model.js';
import type { CurtailmentOrder, DimmingWindow } from '../optimiser/model.js';

/** Grid signals in force during the horizon → §14a dimming windows and redispatch curtailment orders. */
export function signalsToConstraints(
  signals: readonly GridSignal[],
  startMs: number,
  endMs: number,
): { dimming: DimmingWindow[]; curtailment: CurtailmentOrder[]; used: string[]; warnings: string[] } {
  const dimming: DimmingWindow[] = [];
  const curtailment: CurtailmentOrder[] = [];
  const used: string[] = [];
  const warnings: string[] = [];
  for (const s of signals) {
    const toMs = Math.min(s.toMs, s.cancelledAtMs ?? Infinity);
    if (toMs <= startMs || s.fromMs >= endMs || toMs <= s.fromMs) continue;
    const w = { startMs: s.fromMs, endMs: toMs };
    if (s.kind === 'section14a-dimming') {
      if (s.maxControllablePowerW === undefined) warnings.push(`grid signal ${s.id}: §14a dimming without maxControllablePowerW, ignored`);
      else {
        dimming.push({ ...w, maxControllablePowerW: s.maxControllablePowerW });
        used.push(s.id);
      }
    } else if (s.kind === 'redispatch-curtailment') {
      if (s.maxPvPowerW === undefined && s.maxExportPowerW === undefined)
        warnings.push(`grid signal ${s.id}: redispatch curtailment without maxPvPowerW or maxExportPowerW, ignored`);
      else {
        curtailment.push({
          ...w,
          ...(s.maxPvPowerW !== undefined ? { maxPvPowerW: s.maxPvPowerW } : {}),
          ...(s.maxExportPowerW !== undefined ? { maxExportPowerW: s.maxExportPowerW } : {}),
        });
        used.push(s.id);
      }
    } else {
      // the optimiser has no per-step grid target; the control layer holds it in real time
      warnings.push(
        `grid signal ${s.id}: redispatch activation (grid at ${s.targetGridW ?? '?'} W) is held by the control layer, not planned`,
      );
    }
  }
  return { dimming, curtailment, used, warnings };
}
