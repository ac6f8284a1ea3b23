/**
 * The planning service's solver: one worker thread (solve-worker.ts) that runs optimise() off the
 * event loop. Solves queue up in the worker (one at a time). A solve that takes longer than
 * `timeoutMs` terminates the worker (a fresh one starts for the next solve) and fails with a clear
 * message; a worker that cannot start at all makes the solver fall back to solving in-process
 * (blocking the event loop for the solve, logged once).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { OptimiserInput, Plan } from '../optimiser/model.js';
import { loadSolver, optimise } from '../optimiser/optimise.js';
import type { SolveRequest, SolveResponse } from './solve-worker.js';

export interface SolveResult {
  plan: Plan;
  solveMs: number;
  /** where it ran */
  mode: 'worker' | 'in-process';
}

export interface Solver {
  solve(input: OptimiserInput): Promise<SolveResult>;
  close(): Promise<void>;
}

/** How to start the worker: the compiled .js beside this file, or the .ts through tsx's loader (tests, `npm run dev`). */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new URL('./solve-worker.js', here);
  // Node 20 workers do not inherit tsx's loader: a tiny ESM bootstrap registers it, then imports the worker
  const tsxApi = createRequire(here)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const boot =
    `import { register } from ${JSON.stringify(new URL(`file://${tsxApi}`).href)}; register(); ` +
    `await import(${JSON.stringify(new URL('./solve-worker.ts', here).href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

interface Pending {
  resolve: (r: SolveResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export function createSolver(opts: { timeoutMs?: number; onFallback?: (reason: string) => void } = {}): Solver {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let worker: Worker | undefined;
  let ready: Promise<Worker> | undefined;
  let fallback = false;
  let closed = false;
  let seq = 0;
  const pending = new Map<number, Pending>();

  const failAll = (msg: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(msg));
      pending.delete(id);
    }
  };

  function start(): Promise<Worker> {
    ready ??= new Promise<Worker>((resolve, reject) => {
      let w: Worker;
      try {
        w = new Worker(workerUrl());
      } catch (err) {
        reject(err as Error);
        return;
      }
      w.unref();
      let up = false;
      w.on('message', (m: SolveResponse | { ready: true }) => {
        if ('ready' in m) {
          up = true;
          worker = w;
          resolve(w);
          return;
        }
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve({ plan: m.plan, solveMs: m.solveMs, mode: 'worker' });
        else p.reject(new Error(`solver: ${m.error}`));
      });
      const down = (why: string) => {
        if (!up) reject(new Error(why));
        worker = undefined;
        ready = undefined;
        failAll(`solver worker stopped: ${why}`);
      };
      w.on('error', (err) => down(err.message));
      w.on('exit', (code) => down(`exit code ${code}`));
    });
    return ready;
  }

  async function inProcess(input: OptimiserInput): Promise<SolveResult> {
    const highs = await loadSolver();
    const t0 = performance.now();
    const plan = optimise(highs, input);
    return { plan, solveMs: performance.now() - t0, mode: 'in-process' };
  }

  return {
    async solve(input) {
      if (closed) throw new Error('solver closed');
      if (fallback) return inProcess(input);
      let w: Worker;
      try {
        w = await start();
      } catch (err) {
        fallback = true;
        opts.onFallback?.((err as Error).message);
        return inProcess(input);
      }
      const id = ++seq;
      return new Promise<SolveResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`solve took longer than ${timeoutMs} ms; the solver worker was restarted`));
          void w.terminate();
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        w.postMessage({ id, input } satisfies SolveRequest);
      });
    },
    async close() {
      closed = true;
      failAll('solver closed');
      const w = worker ?? (ready ? await ready.catch(() => undefined) : undefined);
      if (w) await w.terminate();
    },
  };
}
