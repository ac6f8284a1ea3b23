/** Input checks of the optimiser: every problem names its field and reason; nothing throws. */
import { MAX_STEPS, STEP_MS, type OptimiserInput, type Problem } from './model.js';

const bad = (subject: string, message: string): Problem => ({ kind: 'input', subject, message: `${subject}: ${message}` });

function series(out: Problem[], name: string, s: readonly number[] | undefined, n: number, nonNegative: boolean): void {
  if (s === undefined) return;
  if (s.length !== n) {
    out.push(bad(name, `has ${s.length} values, loadW has ${n}`));
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = s[i]!;
    if (!Number.isFinite(v)) out.push(bad(`${name}[${i}]`, 'is not a finite number'));
    else if (nonNegative && v < 0) out.push(bad(`${name}[${i}]`, `is negative (${v})`));
  }
}

function nonNeg(out: Problem[], name: string, v: number | undefined, required = true): void {
  if (v === undefined) {
    if (required) out.push(bad(name, 'is missing'));
    return;
  }
  if (!Number.isFinite(v) || v < 0) out.push(bad(name, `must be a finite number ≥ 0 (got ${v})`));
}

export function validateInput(input: OptimiserInput, maxSteps = MAX_STEPS): Problem[] {
  const out: Problem[] = [];
  const n = input.loadW?.length ?? 0;
  if (!Number.isFinite(input.startMs) || input.startMs % STEP_MS !== 0) out.push(bad('startMs', 'must be on a 15-minute boundary'));
  if (n < 1 || n > maxSteps) out.push(bad('loadW', `needs 1..${maxSteps} steps (got ${n})`));
  series(out, 'loadW', input.loadW, n, true);
  series(out, 'pvAvailableW', input.pvAvailableW, n, true);
  series(out, 'spotPriceEurPerMWh', input.spotPriceEurPerMWh, n, false);
  series(out, 'marginalPrices.importEurPerKWh', input.marginalPrices?.importEurPerKWh, n, false);
  series(out, 'marginalPrices.exportEurPerKWh', input.marginalPrices?.exportEurPerKWh, n, false);
  const needsSpot = input.tariff.energy.type === 'dynamic' || input.tariff.feedIn?.type === 'spotMinusMargin';
  if (needsSpot && !input.spotPriceEurPerMWh) out.push(bad('spotPriceEurPerMWh', `tariff ${input.tariff.id} needs day-ahead prices`));
  if (input.noExportAtNegativePrice && !input.spotPriceEurPerMWh)
    out.push(bad('spotPriceEurPerMWh', 'noExportAtNegativePrice needs day-ahead prices'));
  nonNeg(out, 'grid.importLimitW', input.grid?.importLimitW);
  nonNeg(out, 'grid.exportLimitW', input.grid?.exportLimitW);
  nonNeg(out, 'peakSoFarW', input.peakSoFarW, false);
  nonNeg(out, 'freePeakW', input.freePeakW, false);

  const ids = new Set<string>();
  const unique = (kind: string, id: string) => {
    if (ids.has(id)) out.push(bad(`${kind} ${id}`, 'id is used twice'));
    ids.add(id);
  };
  (input.batteries ?? []).forEach((b, i) => {
    const p = `batteries[${i}]`;
    unique('battery', b.id);
    nonNeg(out, `${p}.capacityWh`, b.capacityWh);
    nonNeg(out, `${p}.maxChargeW`, b.maxChargeW);
    nonNeg(out, `${p}.maxDischargeW`, b.maxDischargeW);
    nonNeg(out, `${p}.socMinWh`, b.socMinWh);
    nonNeg(out, `${p}.socMaxWh`, b.socMaxWh);
    nonNeg(out, `${p}.initialSocWh`, b.initialSocWh);
    nonNeg(out, `${p}.wearCostEurPerKWh`, b.wearCostEurPerKWh, false);
    nonNeg(out, `${p}.terminalValueEurPerKWh`, b.terminalValueEurPerKWh, false);
    nonNeg(out, `${p}.terminalSocMinWh`, b.terminalSocMinWh, false);
    for (const k of ['chargeEfficiency', 'dischargeEfficiency'] as const) {
      if (!(b[k] > 0 && b[k] <= 1)) out.push(bad(`${p}.${k}`, `must be in (0, 1] (got ${b[k]})`));
    }
    if (b.socMinWh > b.socMaxWh) out.push(bad(`${p}.socMinWh`, `is above socMaxWh (${b.socMinWh} > ${b.socMaxWh})`));
    if (b.socMaxWh > b.capacityWh) out.push(bad(`${p}.socMaxWh`, `is above capacityWh (${b.socMaxWh} > ${b.capacityWh})`));
    if (b.initialSocWh > b.capacityWh) out.push(bad(`${p}.initialSocWh`, `is above capacityWh (${b.initialSocWh} > ${b.capacityWh})`));
    if (b.terminalSocMinWh !== undefined && b.terminalSocMinWh > b.socMaxWh)
      out.push(bad(`${p}.terminalSocMinWh`, `is above socMaxWh (${b.terminalSocMinWh} > ${b.socMaxWh})`));
  });
  (input.flexibleLoads ?? []).forEach((f, i) => {
    const p = `flexibleLoads[${i}]`;
    unique('flexible load', f.id);
    nonNeg(out, `${p}.energyWh`, f.energyWh);
    nonNeg(out, `${p}.maxPowerW`, f.maxPowerW);
    nonNeg(out, `${p}.minPowerW`, f.minPowerW, false);
    if (!Number.isFinite(f.deadlineMs)) out.push(bad(`${p}.deadlineMs`, 'is not a time'));
    if (f.availableFromMs !== undefined && !Number.isFinite(f.availableFromMs)) out.push(bad(`${p}.availableFromMs`, 'is not a time'));
    if ((f.minPowerW ?? 0) > f.maxPowerW) out.push(bad(`${p}.minPowerW`, `is above maxPowerW (${f.minPowerW} > ${f.maxPowerW})`));
  });
  (input.section14aDimming ?? []).forEach((w, i) => {
    nonNeg(out, `section14aDimming[${i}].maxControllablePowerW`, w.maxControllablePowerW);
    if (!(w.endMs > w.startMs)) out.push(bad(`section14aDimming[${i}]`, 'endMs must be after startMs'));
  });
  (input.curtailmentOrders ?? []).forEach((o, i) => {
    nonNeg(out, `curtailmentOrders[${i}].maxPvPowerW`, o.maxPvPowerW, false);
    nonNeg(out, `curtailmentOrders[${i}].maxExportPowerW`, o.maxExportPowerW, false);
    if (!(o.endMs > o.startMs)) out.push(bad(`curtailmentOrders[${i}]`, 'endMs must be after startMs'));
  });
  return out;
}
