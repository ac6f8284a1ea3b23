/**
 * Worker thread of the planning service: HiGHS blocks its thread while it solves, so plans are
 * solved here and the service's event loop stays free. One message in (an OptimiserInput), one out.
 */
import { parentPort } from 'node:worker_threads';
import { loadSolver, optimise } from '../optimiser/optimise.js';
import type { OptimiserInput } from '../optimiser/model.js';

export interface SolveRequest {
  id: number;
  input: OptimiserInput;
}
export type SolveResponse =
  { id: number; ok: true; plan: ReturnType<typeof optimise>; solveMs: number } | { id: number; ok: false; error: string; solveMs: number };

const highs = await loadSolver();
parentPort!.on('message', (m: SolveRequest) => {
  const t0 = performance.now();
  try {
    const plan = optimise(highs, m.input);
    parentPort!.postMessage({ id: m.id, ok: true, plan, solveMs: performance.now() - t0 } satisfies SolveResponse);
  } catch (err) {
    parentPort!.postMessage({
      id: m.id,
      ok: false,
      error: (err as Error).message,
      solveMs: performance.now() - t0,
    } satisfies SolveResponse);
  }
});
parentPort!.postMessage({ ready: true });
