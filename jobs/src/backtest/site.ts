/**
 * `npm run backtest:site` — a year of 15-minute steps of the reference site (or of the files
 * given) under five strategies: no battery; rule-based self-consumption; Luna's MPC with its own
 * (seasonal-naive) forecasts; the same MPC with perfect forecasts (a correctness check of the MPC
 * loop); perfect foresight (one LP over the true year: the bound). Prints cost lines, billing
 * peaks and `BENCH backtest.capture <0..1> ratio` for the year and per month; progress on stderr.
 *
 * Options: --load=FILE --prices=FILE (--pv=FILE | --weather=FILE) [--annual-mwh=N] [--region=N]
 * [--kwp=N --lat=N --lon=N] [--tariff=ID] [--replan=STEPS (4)] [--horizon=STEPS (192)]
 * [--only=mpc|perfect-mpc] (skip the other MPC run) [--peak-target-kw=N] (a billing-peak target every
 * plan may use freely, e.g. last year's peak; default none) [--days=N] (only the first N days, for
 * development) [--mpc=JSON] (MpcOptions of the own-forecast MPC instead of PEAK_AWARE, e.g. '{}' for
 * the plain loop). See site-inputs.ts for the file format.
 */
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { NaiveOptions } from '../../../api/src/backtest/forecast.js';
import type { MpcStats } from '../../../api/src/backtest/mpc.js';
import { perfectForesightRun } from '../../../api/src/backtest/perfect-foresight.js';
import { capture, costLines, monthlyCapture } from '../../../api/src/backtest/report.js';
import { noBattery, periodKeys, selfConsumption, simulate, type SimResult } from '../../../api/src/backtest/simulate.js';
import { loadSolver } from '../../../api/src/optimiser/optimise.js';
import { firstDays, InputError, inputOptionsFromArgs, loadSite } from './site-inputs.js';
import type { MpcJob } from './site-worker.js';

/**
 * The worker is TypeScript too, and Node 20 workers do not inherit tsx's loader (neither from
 * the CLI nor from --import in execArgv): a tiny ESM bootstrap registers it, then imports the worker.
 */
const WORKER_BOOT = new URL(
  `data:text/javascript,${encodeURIComponent(
    `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); ` +
      `await import(${JSON.stringify(new URL('./site-worker.ts', import.meta.url).href)});`,
  )}`,
);

/** Luna's own forecasts in the backtest (see api/src/backtest/forecast.ts and docs/backtest.md). */
const NAIVE: NaiveOptions = { levelSteps: 8, levelDecaySteps: 96 };

/**
 * How Luna's MPC runs with its own forecasts (api/src/backtest/mpc.ts, docs/backtest.md): plans on
 * the forecast + the 90 % quantile of its own recent errors (at most +20 %) where the load is high,
 * keeps the energy the worst of the last 28 days needed above the peak so far, discharges only what
 * keeps the planned import, lets the SoC above the plan hold the peak so far, never charges above it.
 * The perfect-forecast run keeps the plain loop (its forecasts have no error to guard against).
 */
const PEAK_AWARE: MpcJob['mpc'] = {
  replanSteps: 4,
  horizonSteps: 192,
  loadQuantile: { q: 0.9, maxShare: 0.2 },
  pastReserve: {},
  track: 'discharge',
  surplusGuard: true,
  chargeGuard: true,
};

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const num = (name: string): number | undefined => (opt(name) === undefined ? undefined : Number(opt(name)));
const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function main(): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const replanSteps = num('replan') ?? 4;
  const horizonSteps = num('horizon') ?? 192;
  const only = opt('only');
  const loaded = await loadSite(inputOptionsFromArgs(argv));
  const { notes } = loaded;
  const site = firstDays(loaded.site, num('days'));
  notes.forEach((m) => log(m));
  const n = site.loadW.length;
  const pvMWh = site.pvW.reduce((a, v) => a + v * 0.25, 0) / 1e6;
  const loadMWh = site.loadW.reduce((a, v) => a + v * 0.25, 0) / 1e6;
  log(
    `${n} steps; load ${loadMWh.toFixed(1)} MWh, PV ${pvMWh.toFixed(1)} MWh; MPC re-plans every ${replanSteps} steps over ${horizonSteps}`,
  );
  const highs = await loadSolver();
  const keys = periodKeys(site, n);
  const progress = (name: string) => {
    let shown = -1;
    return (t: number) => {
      const pct = Math.floor((10 * t) / n) * 10;
      if (pct > shown) log(`  ${name}: ${pct} %  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      shown = Math.max(shown, pct);
    };
  };

  const none = simulate(site, noBattery(), undefined, keys);
  const rule = simulate(site, selfConsumption(site), undefined, keys);
  log(`baselines done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const peakTargetKw = num('peak-target-kw');
  const target = peakTargetKw !== undefined ? { peakTargetW: peakTargetKw * 1000 } : {};
  const plain = { replanSteps, horizonSteps, ...target };
  let custom: MpcJob['mpc'] | undefined;
  try {
    custom = opt('mpc') !== undefined ? (JSON.parse(opt('mpc')!) as MpcJob['mpc']) : undefined;
  } catch (e) {
    throw new InputError(`--mpc: not JSON (${(e as Error).message})`);
  }
  const own = {
    ...(custom ?? PEAK_AWARE),
    replanSteps,
    horizonSteps,
    ...target,
  };
  const runMpc = (name: string, forecast: MpcJob['forecast']): Promise<{ r: SimResult; stats: string }> =>
    new Promise((resolve, reject) => {
      const job: MpcJob = { site, keys, name, forecast, naive: NAIVE, mpc: forecast === 'naive' ? own : plain };
      const w = new Worker(WORKER_BOOT, { workerData: job });
      const report = progress(name);
      w.on('message', (m: { type: string; step?: number; result?: SimResult; stats?: MpcStats; wallS?: number }) => {
        if (m.type === 'progress') report(m.step!);
        else {
          const s = m.stats!;
          resolve({
            r: m.result!,
            stats: `${s.plans} plans (${s.failedPlans} failed, ${s.infeasiblePlans} infeasible), peak guard in ${s.guardSteps} steps, ${m.wallS!.toFixed(1)} s`,
          });
        }
      });
      w.on('error', reject);
      w.on('exit', (code) => {
        if (code !== 0) reject(new Error(`${name}: worker exited with code ${code}`));
      });
    });
  // the two MPC years run in worker threads while this thread solves the perfect-foresight LP
  const ownP = only !== 'perfect-mpc' ? runMpc('luna mpc', 'naive') : null;
  const perfectMpcP = only !== 'mpc' ? runMpc('luna mpc perfect forecasts', 'perfect') : null;

  const tPf = performance.now();
  const { plan: pfPlan, result: perfect } = perfectForesightRun(highs, site, keys);
  log(
    `perfect foresight (one LP, ${pfPlan.solver.columns} columns, ${pfPlan.solver.rows} rows): ${((performance.now() - tPf) / 1000).toFixed(1)} s`,
  );

  const results: SimResult[] = [none, rule];
  let ownResult: SimResult | null = null;
  let perfectMpc: SimResult | null = null;
  if (ownP) {
    const m = await ownP;
    ownResult = m.r;
    log(`luna mpc (own seasonal-naive forecasts): ${m.stats}`);
    results.push(ownResult);
  }
  if (perfectMpcP) {
    const m = await perfectMpcP;
    perfectMpc = m.r;
    log(`luna mpc (perfect forecasts): ${m.stats}`);
    results.push(perfectMpc);
  }
  results.push(perfect);

  console.log(`# backtest ${site.name}: ${n} steps from ${new Date(site.startMs).toISOString()}, tariff ${site.tariff.id}`);
  for (const r of results) console.log(costLines(r).join('\n'));
  const c = (r: SimResult) => capture(none.totalEur, r.totalEur, perfect.totalEur);
  console.log(`BENCH backtest.saving_bound ${(none.totalEur - perfect.totalEur).toFixed(2)} EUR`);
  console.log(`BENCH backtest.self_consumption.capture ${c(rule).toFixed(4)} ratio`);
  if (perfectMpc) console.log(`BENCH backtest.perfect_forecasts.capture ${c(perfectMpc).toFixed(4)} ratio`);
  if (ownResult) {
    console.log(`BENCH backtest.capture ${c(ownResult).toFixed(4)} ratio`);
    for (const m of monthlyCapture(site, none, ownResult, perfect))
      console.log(
        `BENCH backtest.capture.${m.month} ${m.capture.toFixed(4)} ratio  # saving ${m.savingEur.toFixed(0)} of ${m.boundSavingEur.toFixed(0)} EUR`,
      );
  }
  if (perfectMpc)
    for (const m of monthlyCapture(site, none, perfectMpc, perfect))
      console.log(
        `BENCH backtest.perfect_forecasts.capture.${m.month} ${m.capture.toFixed(4)} ratio  # saving ${m.savingEur.toFixed(0)} of ${m.boundSavingEur.toFixed(0)} EUR`,
      );
  console.log(`BENCH backtest.runtime_s ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // CPU of all threads (the MPC workers included): what the run costs on an otherwise idle machine
  console.log(
    `BENCH backtest.cpu_s ${(process.cpuUsage(cpu0).user / 1e6).toFixed(1)} s  # load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof InputError) {
    log(`backtest:site: ${err.message}`);
    process.exit(2);
  }
  throw err;
});
