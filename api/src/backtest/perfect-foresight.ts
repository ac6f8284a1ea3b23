/**
 * Perfect foresight, the bound: ONE optimisation over the true year (35,040 steps, ~280k columns;
 * HiGHS simplex with presolve solves it in 8–30 s here, depending on the machine's load), then its battery schedule replayed
 * through the same physics as every other strategy. No rolling horizon: a rolling one would miss
 * exactly what makes the bound a bound — knowing the year's peak from the first day.
 */
import type { Highs } from 'highs';
import { optimise } from '../optimiser/optimise.js';
import type { Plan } from '../optimiser/model.js';
import { schedule, simulate, type SimResult, type SiteYear } from './simulate.js';

export function perfectForesightPlan(highs: Highs, site: SiteYear): Plan {
  return optimise(
    highs,
    {
      startMs: site.startMs,
      tariff: site.tariff,
      spotPriceEurPerMWh: site.spotPriceEurPerMWh,
      loadW: site.loadW,
      pvAvailableW: site.pvW,
      grid: site.grid,
      batteries: [{ ...site.battery, terminalValueEurPerKWh: site.storedEnergyValueEurPerKWh }],
      peakSoFarW: 0,
    },
    { maxSteps: site.loadW.length },
  );
}

/**
 * The bound as every report uses it: the year plan, refused when it has no schedule, replayed through
 * the physics (`keys`: the billing periods of simulate()).
 */
export function perfectForesightRun(
  highs: Highs,
  site: SiteYear,
  keys?: Parameters<typeof simulate>[3],
): { plan: Plan; result: SimResult } {
  const plan = perfectForesightPlan(highs, site);
  if (plan.status === 'invalid' || plan.status === 'failed')
    throw new Error(`perfect foresight: ${plan.problems.map((p) => p.message).join('; ')}`);
  const result = simulate(
    site,
    schedule(
      'perfect foresight',
      plan.steps.map((s) => s.batteries[0]!.powerW),
    ),
    undefined,
    keys,
  );
  return { plan, result };
}
