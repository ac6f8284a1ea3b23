import { afterAll, describe, expect, it } from 'vitest';
import { randomCase } from '../optimiser/fixtures.js';
import { loadSolver, optimise } from '../optimiser/optimise.js';
import { createSolver } from './solver.js';

describe('solver worker', () => {
  const fallbacks: string[] = [];
  const solver = createSolver({ onFallback: (r) => fallbacks.push(r) });
  afterAll(() => solver.close());

  it('solves in a worker thread and gives the same plan as an in-process solve', async () => {
    const input = randomCase(7, 96);
    const [a, b] = await Promise.all([solver.solve(input), solver.solve(randomCase(8, 96))]);
    expect(fallbacks).toEqual([]);
    expect(a.mode).toBe('worker');
    expect(b.mode).toBe('worker');
    const local = optimise(await loadSolver(), input);
    expect(a.plan.status).toBe(local.status);
    expect(a.plan.cost?.objectiveEur).toBeCloseTo(local.cost!.objectiveEur, 6);
    expect(a.plan.steps).toHaveLength(96);
    // Dates survive the structured clone
    expect(a.plan.cost?.tariff?.start).toBeInstanceOf(Date);
  });

  it('reports bad input as an invalid plan, not a crash', async () => {
    const r = await solver.solve({ ...randomCase(1, 8), loadW: [] });
    expect(r.plan.status).toBe('invalid');
    expect(r.plan.problems[0]?.message).toMatch(/loadW/);
  });
});
