/**
 * Worker thread of `npm run backtest:site`: runs one MPC year (HiGHS blocks its thread while it
 * solves, so the two MPC runs and the perfect-foresight LP run side by side on separate threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { perfectForecast, seasonalNaiveForecast, type NaiveOptions } from '../../../api/src/backtest/forecast.js';
import { mpcController, type MpcOptions } from '../../../api/src/backtest/mpc.js';
import { simulate, type SiteYear } from '../../../api/src/backtest/simulate.js';
import { loadSolver } from '../../../api/src/optimiser/optimise.js';

export interface MpcJob {
  site: SiteYear;
  keys: string[];
  name: string;
  forecast: 'perfect' | 'naive';
  naive: NaiveOptions;
  mpc: Omit<MpcOptions, 'name' | 'forecast'>;
}

const job = workerData as MpcJob;
const highs = await loadSolver();
const series = { ...job.site, timeZone: job.site.tariff.timeZone };
const forecast = job.forecast === 'perfect' ? perfectForecast(series) : seasonalNaiveForecast(series, job.naive);
const controller = mpcController(highs, job.site, { ...job.mpc, name: job.name, forecast });
const t0 = performance.now();
const result = simulate(job.site, controller, (t, n) => parentPort!.postMessage({ type: 'progress', step: t, n }), job.keys);
parentPort!.postMessage({ type: 'done', result, stats: controller.stats, wallS: (performance.now() - t0) / 1000 });
