/**
 * Worker thread of `npm run backtest:bandit`: one MPC year with a fixed strategy variant or with a
 * bandit choosing the variant per period (api/src/backtest/bandit-eval.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { banditController, CONTEXT_DIMS, type VariantArm } from '../../../api/src/backtest/bandit-eval.js';
import { seasonalNaiveForecast, type NaiveOptions } from '../../../api/src/backtest/forecast.js';
import { mpcController, type MpcOptions } from '../../../api/src/backtest/mpc.js';
import { simulate, type SiteYear } from '../../../api/src/backtest/simulate.js';
import { loadSolver } from '../../../api/src/optimiser/optimise.js';
import { linUcbBandit, thompsonBandit } from '../../../api/src/recommend/bandit.js';

export interface BanditJob {
  site: SiteYear;
  keys: string[];
  name: string;
  /** 'fixed': arms[0] all year */
  kind: 'fixed' | 'thompson' | 'linucb';
  arms: VariantArm[];
  periodSteps: number;
  seed: number;
  naive: NaiveOptions;
  mpc: Omit<MpcOptions, 'name' | 'forecast'>;
}

const job = workerData as BanditJob;
const highs = await loadSolver();
const forecast = seasonalNaiveForecast({ ...job.site, timeZone: job.site.tariff.timeZone }, job.naive);
const mpc = mpcController(highs, job.site, { ...job.mpc, name: job.name, forecast });
// rewards are EUR per period (a day saves ~100 EUR; a raised peak costs thousands): wide priors
const bandit =
  job.kind === 'thompson'
    ? thompsonBandit(job.arms, { seed: job.seed, priorMean: 0, priorVar: 1e6 })
    : job.kind === 'linucb'
      ? linUcbBandit(job.arms, { dims: CONTEXT_DIMS, alpha: 100, ridge: 1 })
      : null;
const controller = banditController(job.site, mpc, { arms: job.arms, bandit, periodSteps: job.periodSteps, keys: job.keys });
const t0 = performance.now();
const result = simulate(job.site, controller, (t, n) => parentPort!.postMessage({ type: 'progress', step: t, n }), job.keys);
parentPort!.postMessage({
  type: 'done',
  result,
  counts: controller.counts,
  outcomes: controller.outcomes,
  wallS: (performance.now() - t0) / 1000,
});
