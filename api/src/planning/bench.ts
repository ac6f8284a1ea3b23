/**
 * `npm run bench:planning` — the planning service's solve path on real data (the demo site's 2023
 * load/PV, 2023 DE-LU day-ahead prices, DEMO_SITE_ENERGY, the reference tariff) at random instants
 * of the year (seeded; horizons 96–136 steps, until the end of the known prices):
 * - planner.build: buildPlanInput (the pure planner, incl. the tariff's marginal prices);
 * - worker.solve: optimise() inside the worker thread; worker.roundtrip: post → plan back;
 * - event_loop_delay.max while solving in the worker vs. in-process (why the worker exists).
 * Prints `BENCH planning.<case>.<p50|p95|max> <value> ms` lines. Times vary ±30 % on a shared machine.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadSolver, optimise } from '../optimiser/optimise.js';
import { STEP_MS } from '../optimiser/model.js';
import { mulberry32 } from '../random.js';
import { demoInputs } from './fixtures.js';
import { buildPlanInput } from './planner.js';
import { createSolver } from './solver.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RUNS = arg('runs', 60);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const line = (name: string, xs: number[]) => {
  for (const [label, q] of [
    ['p50', 0.5],
    ['p95', 0.95],
    ['max', 1],
  ] as const)
    console.log(`BENCH planning.${name}.${label} ${quantile(xs, q).toFixed(2)} ms`);
};

const r = mulberry32(14);
const instants = Array.from({ length: RUNS }, () => Date.parse('2023-01-10T00:00:00Z') + Math.floor(r() * 340 * 96) * STEP_MS + 7 * 60_000);
const build: number[] = [];
const setups = [];
for (const nowMs of instants) {
  const inputs = await demoInputs(nowMs, { socPct: { battery: 10 + r() * 80 }, peakSoFarW: r() * 600_000 });
  const t0 = performance.now();
  const s = buildPlanInput(inputs);
  build.push(performance.now() - t0);
  if (!s.ok) throw new Error(s.waiting);
  setups.push(s);
}
const steps = setups.map((s) => s.input.loadW.length);

const solver = createSolver();
await solver.solve(setups[0]!.input); // worker start + WebAssembly warm-up
const solve: number[] = [];
const roundtrip: number[] = [];
const delayWorker = monitorEventLoopDelay({ resolution: 1 });
delayWorker.enable();
for (const s of setups) {
  const t0 = performance.now();
  const res = await solver.solve(s.input);
  roundtrip.push(performance.now() - t0);
  solve.push(res.solveMs);
  if (res.plan.status !== 'optimal') throw new Error(`plan ${res.plan.status}: ${res.plan.problems[0]?.message}`);
}
delayWorker.disable();
await solver.close();

const highs = await loadSolver();
optimise(highs, setups[0]!.input);
const delayLocal = monitorEventLoopDelay({ resolution: 1 });
delayLocal.enable();
for (const s of setups) {
  optimise(highs, s.input);
  // let the event loop turn between solves, as a service would
  await new Promise((res) => setImmediate(res));
}
delayLocal.disable();

console.log(`BENCH planning.runs ${RUNS} plans`);
console.log(`BENCH planning.steps.mean ${(steps.reduce((a, b) => a + b, 0) / steps.length).toFixed(1)} steps`);
line('planner.build', build);
line('worker.solve', solve);
line('worker.roundtrip', roundtrip);
console.log(`BENCH planning.event_loop_delay.worker.max ${(delayWorker.max / 1e6).toFixed(2)} ms`);
console.log(`BENCH planning.event_loop_delay.in_process.max ${(delayLocal.max / 1e6).toFixed(2)} ms`);
