import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.js';
import { banditScores, linUcbBandit, restoreBandit, thompsonBandit, type Arm, type Bandit } from './bandit.js';

const arms: Arm[] = [
  { id: 'reserve-10', params: { reservePercent: 10 } },
  { id: 'reserve-30', params: { reservePercent: 30 } },
  { id: 'reserve-50', params: { reservePercent: 50 } },
];

/** normal noise from a seeded RNG, independent of the bandit's own */
function noise(seed: number): () => number {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** plays `rounds` rounds, returns the chosen arm ids and the per-round regret */
function play(
  b: Bandit,
  rounds: number,
  ctx: (t: number) => number[],
  meanOf: (arm: string, x: number[]) => number,
  sd: number,
  seed: number,
) {
  const n = noise(seed);
  const chosen: string[] = [];
  const regret: number[] = [];
  for (let t = 0; t < rounds; t++) {
    const x = ctx(t);
    const a = b.choose(x);
    chosen.push(a);
    const best = Math.max(...arms.map((arm) => meanOf(arm.id, x)));
    regret.push(best - meanOf(a, x));
    b.update(a, x, meanOf(a, x) + sd * n());
  }
  return { chosen, regret };
}

const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);

describe('thompsonBandit', () => {
  const means: Record<string, number> = { 'reserve-10': 1.0, 'reserve-30': 1.6, 'reserve-50': 1.2 };

  it('converges to the best arm (known best: reserve-30) and its regret falls', () => {
    for (const seed of [1, 2, 3]) {
      const b = thompsonBandit(arms, { seed, priorMean: 0, priorVar: 100, noiseVar: 1 });
      const { chosen, regret } = play(
        b,
        600,
        () => [],
        (a) => means[a]!,
        1,
        100 + seed,
      );
      const last = chosen.slice(-200);
      expect(last.filter((a) => a === 'reserve-30').length / last.length).toBeGreaterThan(0.9);
      expect(sum(regret.slice(400))).toBeLessThan(sum(regret.slice(0, 200)));
    }
  });

  it('also converges with the noise variance estimated from the data', () => {
    const b = thompsonBandit(arms, { seed: 7 });
    const { chosen } = play(
      b,
      600,
      () => [],
      (a) => means[a]!,
      0.5,
      77,
    );
    expect(chosen.slice(-200).filter((a) => a === 'reserve-30').length).toBeGreaterThan(180);
    const s = b.state() as { noiseVar: number | null };
    expect(s.noiseVar).toBeNull();
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) =>
      play(
        thompsonBandit(arms, { seed, noiseVar: 1 }),
        50,
        () => [],
        (a) => means[a]!,
        1,
        5,
      ).chosen;
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it('has the conjugate posterior after updates', () => {
    const b = thompsonBandit(arms, { seed: 1, priorMean: 0, priorVar: 4, noiseVar: 1 });
    b.update('reserve-10', [], 2);
    b.update('reserve-10', [], 4);
    const s = b.state() as { arms: { id: string; mean: number; variance: number }[] };
    // precision 1/4 + 2 = 2.25; mean = 6 / 2.25
    expect(s.arms[0]!.variance).toBeCloseTo(1 / 2.25, 12);
    expect(s.arms[0]!.mean).toBeCloseTo(6 / 2.25, 12);
    expect(s.arms[1]!.mean).toBe(0);
  });

  it('restores from state and continues the same sequence', () => {
    const a = thompsonBandit(arms, { seed: 9, noiseVar: 1 });
    play(
      a,
      30,
      () => [],
      (x) => means[x]!,
      1,
      3,
    );
    const b = restoreBandit(arms, JSON.parse(JSON.stringify(a.state())));
    const next = (x: Bandit) => Array.from({ length: 20 }, () => x.choose([]));
    expect(next(b)).toEqual(next(a));
  });

  it('rejects bad input with a reason', () => {
    expect(() => thompsonBandit([], { seed: 1 })).toThrow(/at least one arm/);
    expect(() => thompsonBandit([arms[0]!, arms[0]!], { seed: 1 })).toThrow(/used twice/);
    expect(() => thompsonBandit(arms, { seed: 1, priorVar: 0 })).toThrow(/priorVar/);
    const b = thompsonBandit(arms, { seed: 1 });
    expect(() => b.update('nope', [], 1)).toThrow(/unknown arm "nope"/);
    expect(() => b.update('reserve-10', [], Number.NaN)).toThrow(/finite/);
    expect(() => restoreBandit(arms, { kind: 'x' })).toThrow(/not a bandit state/);
  });
});

describe('linUcbBandit', () => {
  // context: [1 (bias), weekday 0/1, price spread (scaled)]. The best arm depends on the context:
  // weekdays with a wide spread favour a high reserve, weekends a low one.
  const theta: Record<string, number[]> = {
    'reserve-10': [1.0, -0.5, 0.0],
    'reserve-30': [0.8, 0.2, 0.3],
    'reserve-50': [0.4, 0.3, 1.2],
  };
  const meanOf = (a: string, x: number[]) => theta[a]!.reduce((s, v, i) => s + v * x[i]!, 0);
  const contexts = [
    [1, 0, 0.1],
    [1, 1, 0.2],
    [1, 1, 1.0],
  ];
  const ctx = (t: number) => contexts[(t * 7 + Math.floor(t / 3)) % 3]!;

  it('converges to the best arm per context and its regret falls', () => {
    const b = linUcbBandit(arms, { dims: 3, alpha: 1, ridge: 1 });
    const { regret } = play(b, 900, ctx, meanOf, 0.3, 11);
    const bestFor = (x: number[]) => arms.map((a) => a.id).reduce((p, q) => (meanOf(q, x) > meanOf(p, x) ? q : p));
    expect(contexts.map(bestFor)).toEqual(['reserve-10', 'reserve-30', 'reserve-50']);
    for (const x of contexts) expect(b.choose(x)).toBe(bestFor(x));
    expect(sum(regret.slice(600))).toBeLessThan(sum(regret.slice(0, 300)) / 2);
  });

  it('keeps A⁻¹ the inverse of ridge·I + Σ x xᵀ (Sherman–Morrison)', () => {
    const b = linUcbBandit(arms, { dims: 2, ridge: 2 });
    b.update('reserve-10', [1, 2], 3);
    b.update('reserve-10', [0.5, -1], 1);
    const s = b.state() as { arms: { aInv: number[]; b: number[] }[] };
    const A = [2 + 1 + 0.25, 2 - 0.5, 2 - 0.5, 2 + 4 + 1];
    const inv = s.arms[0]!.aInv;
    const prod = [
      A[0]! * inv[0]! + A[1]! * inv[2]!,
      A[0]! * inv[1]! + A[1]! * inv[3]!,
      A[2]! * inv[0]! + A[3]! * inv[2]!,
      A[2]! * inv[1]! + A[3]! * inv[3]!,
    ];
    prod.forEach((v, i) => expect(v).toBeCloseTo(i === 0 || i === 3 ? 1 : 0, 12));
    expect(s.arms[0]!.b).toEqual([3.5, 5]);
  });

  it('restores from state and reports UCB scores', () => {
    const a = linUcbBandit(arms, { dims: 3, alpha: 0.5 });
    play(a, 60, ctx, meanOf, 0.3, 12);
    const b = restoreBandit(arms, JSON.parse(JSON.stringify(a.state())));
    for (const x of contexts) expect(b.choose(x)).toBe(a.choose(x));
    const scores = banditScores(b.state(), contexts[2]!);
    expect(scores).toHaveLength(3);
    expect(scores[0]!.upper).toBeGreaterThanOrEqual(scores[1]!.upper);
    expect(scores[0]!.upper).toBeCloseTo(scores[0]!.mean + scores[0]!.spread, 12);
  });

  it('rejects a context of the wrong length', () => {
    const b = linUcbBandit(arms, { dims: 3 });
    expect(() => b.choose([1, 2])).toThrow(/context has 2 values, the bandit expects 3/);
    expect(() => b.update('reserve-10', [1, Number.NaN, 0], 1)).toThrow(/context\[1\]/);
    expect(() => linUcbBandit(arms, { dims: 0 })).toThrow(/dims/);
  });
});
