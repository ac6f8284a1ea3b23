/**
 * Contextual bandits (pure): choose among strategy variants (arms) from realised outcomes.
 * Higher reward = better (e.g. the EUR saved by a day run with that variant).
 *
 * - `thompsonBandit`: Thompson sampling with a Gaussian reward of unknown mean per arm (conjugate
 *   normal prior N(priorMean, priorVar)). The noise variance is `noiseVar` when given, otherwise
 *   estimated from the pooled residuals of all arms (1 until two rewards are in). It ignores the
 *   context: it learns the best arm on average.
 * - `linUcbBandit`: LinUCB (disjoint model) — ridge regression per arm on the context vector,
 *   chooses argmax θ·x + α·√(xᵀA⁻¹x); A⁻¹ kept by Sherman–Morrison updates.
 *
 * Randomness comes only from the seeded mulberry32 (api/src/random.ts): the same seed and the same
 * calls give the same choices. `state()` is plain JSON; `restoreBandit` rebuilds a bandit from it
 * (the persisted per-site state), `banditScores` reports the posterior / UCB numbers per arm.
 */
import { mulberry32 } from '../random.js';

export interface Arm {
  id: string;
  params: Record<string, number>;
}

export interface Bandit {
  choose(context: number[]): string;
  update(armId: string, context: number[], reward: number): void;
  state(): unknown;
}

export interface ThompsonArmState {
  id: string;
  /** rewards seen */
  n: number;
  /** posterior mean of the arm's mean reward */
  mean: number;
  /** posterior variance of the arm's mean reward */
  variance: number;
  /** Σ reward and Σ reward² (for the pooled noise estimate) */
  sumReward: number;
  sumSquares: number;
}

export interface ThompsonState {
  kind: 'thompson';
  seed: number;
  /** random numbers drawn so far (the RNG is advanced this far on restore) */
  draws: number;
  priorMean: number;
  priorVar: number;
  /** null: estimated from the data */
  noiseVar: number | null;
  arms: ThompsonArmState[];
}

export interface LinUcbArmState {
  id: string;
  n: number;
  /** A⁻¹ (dims × dims, row-major), A = ridge·I + Σ x xᵀ */
  aInv: number[];
  /** b = Σ reward·x */
  b: number[];
}

export interface LinUcbState {
  kind: 'linucb';
  dims: number;
  alpha: number;
  ridge: number;
  arms: LinUcbArmState[];
}

export type BanditState = ThompsonState | LinUcbState;

export interface ArmScore {
  armId: string;
  n: number;
  /** Thompson: posterior mean; LinUCB: θ·x */
  mean: number;
  /** Thompson: posterior standard deviation; LinUCB: α·√(xᵀA⁻¹x) (the exploration bonus) */
  spread: number;
  /** Thompson: upper 95 % posterior bound (mean + 1.96 sd); LinUCB: mean + bonus (the UCB) */
  upper: number;
}

function checkArms(arms: Arm[]): void {
  if (arms.length === 0) throw new RangeError('a bandit needs at least one arm');
  const seen = new Set<string>();
  for (const a of arms) {
    if (seen.has(a.id)) throw new RangeError(`arm id "${a.id}" is used twice`);
    seen.add(a.id);
  }
}

function checkReward(reward: number): void {
  if (!Number.isFinite(reward)) throw new RangeError(`reward must be a finite number, got ${reward}`);
}

/** pooled within-arm variance of the rewards (1 until there is a residual degree of freedom) */
function pooledNoiseVar(arms: ThompsonArmState[]): number {
  let ss = 0;
  let dof = 0;
  for (const a of arms) {
    if (a.n < 2) continue;
    ss += a.sumSquares - (a.sumReward * a.sumReward) / a.n;
    dof += a.n - 1;
  }
  return dof > 0 ? Math.max(1e-9, ss / dof) : 1;
}

function thompsonPosterior(s: ThompsonState, a: ThompsonArmState): { mean: number; variance: number } {
  const noise = s.noiseVar ?? pooledNoiseVar(s.arms);
  const precision = 1 / s.priorVar + a.n / noise;
  return { mean: (s.priorMean / s.priorVar + a.sumReward / noise) / precision, variance: 1 / precision };
}

function makeThompson(s: ThompsonState): Bandit {
  const uniform = mulberry32(s.seed);
  for (let i = 0; i < s.draws; i++) uniform();
  const draw = () => {
    s.draws++;
    return uniform();
  };
  const gaussian = () => {
    // Box–Muller; 1 − u keeps the log argument in (0, 1]
    const u = 1 - draw();
    const v = draw();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const refresh = () => {
    for (const a of s.arms) Object.assign(a, thompsonPosterior(s, a));
  };
  return {
    choose() {
      let best = s.arms[0]!.id;
      let bestSample = -Infinity;
      for (const a of s.arms) {
        const sample = a.mean + Math.sqrt(a.variance) * gaussian();
        if (sample > bestSample) {
          bestSample = sample;
          best = a.id;
        }
      }
      return best;
    },
    update(armId, _context, reward) {
      checkReward(reward);
      const a = s.arms.find((x) => x.id === armId);
      if (!a) throw new RangeError(`unknown arm "${armId}"`);
      a.n++;
      a.sumReward += reward;
      a.sumSquares += reward * reward;
      // with an estimated noise variance every arm's posterior moves, so all are refreshed
      refresh();
    },
    state() {
      return structuredClone(s);
    },
  };
}

/** Thompson sampling, Gaussian rewards with unknown mean (see the module comment). */
export function thompsonBandit(arms: Arm[], opts: { seed: number; priorMean?: number; priorVar?: number; noiseVar?: number }): Bandit {
  checkArms(arms);
  const priorMean = opts.priorMean ?? 0;
  const priorVar = opts.priorVar ?? 1e4;
  if (!(priorVar > 0)) throw new RangeError(`priorVar must be > 0, got ${priorVar}`);
  if (opts.noiseVar !== undefined && !(opts.noiseVar > 0)) throw new RangeError(`noiseVar must be > 0, got ${opts.noiseVar}`);
  return makeThompson({
    kind: 'thompson',
    seed: opts.seed,
    draws: 0,
    priorMean,
    priorVar,
    noiseVar: opts.noiseVar ?? null,
    arms: arms.map((a) => ({ id: a.id, n: 0, mean: priorMean, variance: priorVar, sumReward: 0, sumSquares: 0 })),
  });
}

function checkContext(x: number[], dims: number): void {
  if (x.length !== dims) throw new RangeError(`context has ${x.length} values, the bandit expects ${dims}`);
  x.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`context[${i}] must be a finite number, got ${v}`);
  });
}

/** A⁻¹x */
function mulVec(aInv: number[], x: number[], d: number): number[] {
  const out = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += aInv[i * d + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

function linUcbScore(s: LinUcbState, a: LinUcbArmState, x: number[]): ArmScore {
  const ax = mulVec(a.aInv, x, s.dims);
  // θ = A⁻¹b, θ·x = b·(A⁻¹x) since A⁻¹ is symmetric
  const mean = dot(a.b, ax);
  const spread = s.alpha * Math.sqrt(Math.max(0, dot(x, ax)));
  return { armId: a.id, n: a.n, mean, spread, upper: mean + spread };
}

function makeLinUcb(s: LinUcbState): Bandit {
  return {
    choose(context) {
      checkContext(context, s.dims);
      let best = s.arms[0]!.id;
      let bestUcb = -Infinity;
      for (const a of s.arms) {
        const u = linUcbScore(s, a, context).upper;
        if (u > bestUcb) {
          bestUcb = u;
          best = a.id;
        }
      }
      return best;
    },
    update(armId, context, reward) {
      checkContext(context, s.dims);
      checkReward(reward);
      const a = s.arms.find((x) => x.id === armId);
      if (!a) throw new RangeError(`unknown arm "${armId}"`);
      const d = s.dims;
      // Sherman–Morrison: (A + xxᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x)
      const ax = mulVec(a.aInv, context, d);
      const denom = 1 + dot(context, ax);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a.aInv[i * d + j]! -= (ax[i]! * ax[j]!) / denom;
      for (let i = 0; i < d; i++) a.b[i]! += reward * context[i]!;
      a.n++;
    },
    state() {
      return structuredClone(s);
    },
  };
}

/** LinUCB with one ridge regression per arm (see the module comment). */
export function linUcbBandit(arms: Arm[], opts: { dims: number; alpha?: number; ridge?: number }): Bandit {
  checkArms(arms);
  const d = opts.dims;
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`dims must be a positive integer, got ${d}`);
  const ridge = opts.ridge ?? 1;
  if (!(ridge > 0)) throw new RangeError(`ridge must be > 0, got ${ridge}`);
  const alpha = opts.alpha ?? 1;
  if (!(alpha >= 0)) throw new RangeError(`alpha must be ≥ 0, got ${alpha}`);
  const identity = Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 / ridge : 0));
  return makeLinUcb({
    kind: 'linucb',
    dims: d,
    alpha,
    ridge,
    arms: arms.map((a) => ({ id: a.id, n: 0, aInv: [...identity], b: new Array<number>(d).fill(0) })),
  });
}

function isBanditState(x: unknown): x is BanditState {
  if (typeof x !== 'object' || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  return (k === 'thompson' || k === 'linucb') && Array.isArray((x as { arms?: unknown }).arms);
}

/**
 * Rebuilds a bandit from `state()` output (e.g. loaded from the bandit_state table). Arms that are
 * new since the state was saved start from the prior; arms no longer offered are dropped.
 */
export function restoreBandit(arms: Arm[], state: unknown): Bandit {
  checkArms(arms);
  if (!isBanditState(state)) throw new RangeError('not a bandit state (kind must be "thompson" or "linucb")');
  const s = structuredClone(state);
  if (s.kind === 'thompson') {
    const old = new Map(s.arms.map((a) => [a.id, a]));
    s.arms = arms.map((a) => old.get(a.id) ?? { id: a.id, n: 0, mean: s.priorMean, variance: s.priorVar, sumReward: 0, sumSquares: 0 });
    return makeThompson(s);
  }
  const d = s.dims;
  const old = new Map(s.arms.map((a) => [a.id, a]));
  s.arms = arms.map((a) => {
    const o = old.get(a.id);
    if (o && o.aInv.length === d * d && o.b.length === d) return o;
    return {
      id: a.id,
      n: 0,
      aInv: Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 / s.ridge : 0)),
      b: new Array<number>(d).fill(0),
    };
  });
  return makeLinUcb(s);
}

/** Per arm: the posterior (Thompson, by mean) or the UCB parts for this context (LinUCB, by UCB), best first. */
export function banditScores(state: unknown, context: number[]): ArmScore[] {
  if (!isBanditState(state)) throw new RangeError('not a bandit state (kind must be "thompson" or "linucb")');
  const scores =
    state.kind === 'thompson'
      ? state.arms.map((a) => {
          const sd = Math.sqrt(a.variance);
          return { armId: a.id, n: a.n, mean: a.mean, spread: sd, upper: a.mean + 1.96 * sd };
        })
      : (checkContext(context, state.dims), state.arms.map((a) => linUcbScore(state, a, context)));
  return state.kind === 'thompson' ? scores.sort((a, b) => b.mean - a.mean) : scores.sort((a, b) => b.upper - a.upper);
}
