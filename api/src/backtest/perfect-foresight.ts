/**
 * Perfect foresight, the bound: ONE optimisation over the true year (35,040 steps, ~280k columns;
 * HiGHS simplex with presolve solves it in 8–30 s here, depending on the machine's load), then its battery schedule replayed
 * through the same physics as every other strategy. No rolling horizon: a rolling one would miss
 * exactly what makes the bound a bound — knowing the year's peak from the first day.
 */
import type { Highs } from 'highs';
import { optimise } from '../optimiser/optimise.js';
import type { Plan } from '../optimiser/model.js';
import type { SiteYear } from './simulate.js';

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
