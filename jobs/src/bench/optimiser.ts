/**
 * `npm run bench:optimiser` — wall-clock time of optimise() (formulation + HiGHS solve + cost
 * breakdown) on the reference site's real load and 2023 day-ahead prices:
 * - solve_96: 96 steps, one battery (1 MWh / 500 kW), 750 kWp PV, demand charge (LP);
 * - solve_192_flex_milp: 192 steps, the same plus two flexible loads (EV fleet with a minimum
 *   charging power → binaries, and a §14a heat pump in a dimming window) (MILP).
 * Each case runs on different days of 2023 (seeded), after a warm-up (WebAssembly tier-up).
 * Prints `BENCH optimiser.<case>.<p50|p95|max> <ms> ms` lines.
 */
import { cpus } from 'node:os';
import { loadSolver, optimise, type OptimiserInput } from '../../../api/src/optimiser/index.js';
import { battery, pvCurve, rng } from '../../../api/src/optimiser/fixtures.js';
import { loadTariff } from '../../../api/src/tariffs/loader.js';
import { readMusterwerkLoadOnly } from '../../../api/src/tariffs/reference-site.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RUNS_LP = arg('runs', 200);
const RUNS_MILP = arg('milp-runs', 60);
const STEP_MS = 900_000;

const highs = await loadSolver();
const tariff = await loadTariff('musterwerk-2023');
const site = await readMusterwerkLoadOnly();
const r = rng(7);

function input(n: number, milp: boolean): OptimiserInput {
  const day = Math.floor(r() * 360);
  const off = day * 96;
  const startMs = site.start.getTime() + off * STEP_MS;
  const loadW = site.importEnergyWh.slice(off, off + n).map((wh) => wh * 4);
  const peak = Math.max(...loadW);
  const base: OptimiserInput = {
    startMs,
    tariff,
    spotPriceEurPerMWh: site.spotPriceEurPerMWh.slice(off, off + n),
    loadW,
    pvAvailableW: pvCurve(n, 750_000 * (0.2 + 0.6 * r()), startMs),
    grid: { importLimitW: 1_000_000, exportLimitW: 700_000 },
    batteries: [battery({ initialSocWh: 100_000 + r() * 800_000, terminalValueEurPerKWh: 0.15 })],
    peakSoFarW: peak * (0.5 + 0.3 * r()),
  };
  if (!milp) return base;
  return {
    ...base,
    flexibleLoads: [
      {
        id: 'ev-fleet',
        energyWh: 400_000,
        availableFromMs: startMs + 8 * STEP_MS,
        deadlineMs: startMs + 150 * STEP_MS,
        maxPowerW: 150_000,
        minPowerW: 40_000,
      },
      { id: 'heat-pump', energyWh: 300_000, deadlineMs: startMs + 192 * STEP_MS, maxPowerW: 60_000, minPowerW: 15_000, section14a: true },
    ],
    section14aDimming: [{ startMs: startMs + 68 * STEP_MS, endMs: startMs + 76 * STEP_MS, maxControllablePowerW: 30_000 }],
  };
}

function measure(name: string, n: number, milp: boolean, runs: number): void {
  for (let i = 0; i < 10; i++) optimise(highs, input(n, milp)); // warm-up
  const ms: number[] = [];
  let notOptimal = 0;
  let gapRuns = 0;
  for (let i = 0; i < runs; i++) {
    const inp = input(n, milp);
    const t0 = performance.now();
    const plan = optimise(highs, inp);
    ms.push(performance.now() - t0);
    if (plan.status !== 'optimal') notOptimal++;
    if (plan.solver.modelStatus !== 'optimal') gapRuns++;
    if (milp && !plan.mixedInteger) throw new Error('the MILP case built no binaries');
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
  process.stderr.write(`${name}: ${runs} runs, ${notOptimal} not optimal, ${gapRuns} stopped by a limit\n`);
  console.log(`BENCH optimiser.${name}.p50 ${q(0.5).toFixed(1)} ms`);
  console.log(`BENCH optimiser.${name}.p95 ${q(0.95).toFixed(1)} ms`);
  console.log(`BENCH optimiser.${name}.max ${ms[ms.length - 1]!.toFixed(1)} ms`);
}

console.log(`# ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}, highs 1.15 (WebAssembly, single thread)`);
measure('solve_96', 96, false, RUNS_LP);
measure('solve_192_flex_milp', 192, true, RUNS_MILP);
