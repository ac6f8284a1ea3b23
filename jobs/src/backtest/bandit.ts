/**
 * `npm run backtest:bandit` — the bandit evaluation of issue #7 item 5 on the reference site (or the
 * files given, as backtest:site): Luna's MPC with its own forecasts runs a year with each fixed
 * strategy variant (arms of api/src/backtest/bandit-eval.ts) and with a Thompson-sampling and a
 * LinUCB bandit choosing the variant each day from the realised rewards. Prints each year's capture
 * of the perfect-foresight saving, `BENCH backtest.best_fixed_variant.capture`,
 * `BENCH backtest.bandit.thompson.capture`, `BENCH backtest.bandit.linucb.capture` and the runtime.
 *
 * Options: the input options of backtest:site (--load --pv/--weather --prices …), [--days=N] (only
 * the first N days), [--period=STEPS (96)] (steps per bandit decision), [--seed=N (1)],
 * [--workers=N (2)] (MPC years run side by side in worker threads).
 */
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_ARMS } from '../../../api/src/backtest/bandit-eval.js';
import { perfectForesightRun } from '../../../api/src/backtest/perfect-foresight.js';
import { capture } from '../../../api/src/backtest/report.js';
import { noBattery, periodKeys, simulate, type SimResult } from '../../../api/src/backtest/simulate.js';
import { loadSolver } from '../../../api/src/optimiser/optimise.js';
import type { BanditJob } from './bandit-worker.js';
import { firstDays, InputError, inputOptionsFromArgs, loadSite } from './site-inputs.js';

const WORKER_BOOT = new URL(
  `data:text/javascript,${encodeURIComponent(
    `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); ` +
      `await import(${JSON.stringify(new URL('./bandit-worker.ts', import.meta.url).href)});`,
  )}`,
);

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const num = (name: string): number | undefined => (opt(name) === undefined ? undefined : Number(opt(name)));
const log = (msg: string) => process.stderr.write(`${msg}\n`);

interface Done {
  result: SimResult;
  counts: Record<string, number>;
  wallS: number;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const loaded = await loadSite(inputOptionsFromArgs(argv));
  loaded.notes.forEach((m) => log(m));
  const site = firstDays(loaded.site, num('days'));
  const n = site.loadW.length;
  const keys = periodKeys(site, n);
  const periodSteps = num('period') ?? 96;
  const seed = num('seed') ?? 1;
  const maxWorkers = num('workers') ?? 2;
  const mpc: BanditJob['mpc'] = { replanSteps: 4, horizonSteps: 192, track: 'discharge', surplusGuard: true, chargeGuard: true };
  const naive = { levelSteps: 8, levelDecaySteps: 96 };

  const jobs: BanditJob[] = [
    ...DEFAULT_ARMS.map((a): BanditJob => ({ site, keys, name: `fixed ${a.id}`, kind: 'fixed', arms: [a], periodSteps, seed, naive, mpc })),
    { site, keys, name: 'bandit thompson', kind: 'thompson', arms: DEFAULT_ARMS, periodSteps, seed, naive, mpc },
    { site, keys, name: 'bandit linucb', kind: 'linucb', arms: DEFAULT_ARMS, periodSteps, seed, naive, mpc },
  ];
  log(
    `${n} steps, ${DEFAULT_ARMS.length} variants, a decision every ${periodSteps} steps; ${jobs.length} MPC years, ${maxWorkers} at a time`,
  );
  const run = (job: BanditJob) =>
    new Promise<Done>((resolve, reject) => {
      const w = new Worker(WORKER_BOOT, { workerData: job });
      let shown = -1;
      w.on('message', (m: { type: string; step?: number } & Partial<Done>) => {
        if (m.type === 'progress') {
          const pct = Math.floor((10 * m.step!) / n) * 10;
          if (pct > shown) log(`  ${job.name}: ${pct} %  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
          shown = Math.max(shown, pct);
        } else resolve({ result: m.result!, counts: m.counts!, wallS: m.wallS! });
      });
      w.on('error', reject);
      w.on('exit', (code) => {
        if (code !== 0) reject(new Error(`${job.name}: worker exited with code ${code}`));
      });
    });
  const results: Done[] = new Array<Done>(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await run(jobs[i]!);
      log(`${jobs[i]!.name}: ${results[i]!.wallS.toFixed(1)} s`);
    }
  };
  const lanes = Promise.all(Array.from({ length: Math.max(1, maxWorkers) }, lane));

  const highs = await loadSolver();
  const none = simulate(site, noBattery(), undefined, keys);
  const perfect = perfectForesightRun(highs, site, keys).result;
  await lanes;

  const c = (r: SimResult) => capture(none.totalEur, r.totalEur, perfect.totalEur);
  console.log(`# backtest:bandit ${site.name}: ${n} steps, bound ${(none.totalEur - perfect.totalEur).toFixed(2)} EUR`);
  let best = -Infinity;
  jobs.forEach((job, i) => {
    const r = results[i]!;
    const slug = job.kind === 'fixed' ? `variant.${job.arms[0]!.id}` : job.kind;
    console.log(
      `BENCH backtest.bandit.${slug}.capture ${c(r.result).toFixed(4)} ratio  # cost ${r.result.totalEur.toFixed(0)} EUR, peak ${r.result.tariff.demandCharge.peakKw.toFixed(1)} kW` +
        (job.kind === 'fixed'
          ? ''
          : `, chosen ${Object.entries(r.counts)
              .map(([a, k]) => `${a}×${k}`)
              .join(' ')}`),
    );
    if (job.kind === 'fixed') best = Math.max(best, c(r.result));
  });
  console.log(`BENCH backtest.best_fixed_variant.capture ${best.toFixed(4)} ratio`);
  console.log(
    `BENCH backtest.bandit.runtime_s ${((performance.now() - t0) / 1000).toFixed(1)} s  # load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof InputError) {
    log(`backtest:bandit: ${err.message}`);
    process.exit(2);
  }
  throw err;
});
