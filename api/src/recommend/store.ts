/**
 * Persisted strategy bandits per site (adapter): table `bandit_state` holds one Thompson and one
 * LinUCB state per site, `bandit_outcomes` every realised outcome. `recordOutcome` updates both in
 * one transaction (row locks: concurrent outcomes are applied one after the other).
 */
import type { Database, Queryable } from '../store/index.js';
import { banditScores, linUcbBandit, restoreBandit, thompsonBandit, type ArmScore, type Arm, type Bandit } from './bandit.js';
import { CONTEXT_DIMS, STRATEGY_ARMS } from './strategy.js';

export type Policy = 'thompson' | 'linucb';
export const POLICIES: readonly Policy[] = ['thompson', 'linucb'];

export interface BanditOptions {
  arms?: readonly Arm[];
  /** Thompson seed (per site it is mixed with the site id) */
  seed?: number;
  /** LinUCB exploration weight */
  alpha?: number;
}

/** FNV-1a of the site id, so sites do not share a random sequence. */
function siteSeed(siteId: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < siteId.length; i++) h = Math.imul(h ^ siteId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface PolicyView {
  policy: Policy;
  /** the arm the policy picks now */
  choice: { armId: string; params: Record<string, number> };
  /** posterior (Thompson) or UCB parts for this context (LinUCB), best first */
  scores: ArmScore[];
  /** outcomes learnt from */
  updates: number;
}

export class BanditStore {
  readonly arms: readonly Arm[];
  private readonly seed: number;
  private readonly alpha: number;

  constructor(
    private readonly db: Database,
    opts: BanditOptions = {},
  ) {
    this.arms = opts.arms ?? STRATEGY_ARMS;
    this.seed = opts.seed ?? 1;
    this.alpha = opts.alpha ?? 1;
  }

  private fresh(siteId: string, policy: Policy): Bandit {
    // rewards are EUR per day: a wide prior (sd 100 EUR) around 0
    return policy === 'thompson'
      ? thompsonBandit([...this.arms], { seed: siteSeed(siteId, this.seed), priorMean: 0, priorVar: 1e4 })
      : linUcbBandit([...this.arms], { dims: CONTEXT_DIMS, alpha: this.alpha, ridge: 1 });
  }

  private async load(db: Queryable, siteId: string, policy: Policy, lock: boolean): Promise<{ bandit: Bandit; updates: number }> {
    const { rows } = await db.query<{ state: unknown; updates: number }>(
      `select state, updates from bandit_state where site_id = $1 and policy = $2${lock ? ' for update' : ''}`,
      [siteId, policy],
    );
    const row = rows[0];
    if (!row) return { bandit: this.fresh(siteId, policy), updates: 0 };
    const state = typeof row.state === 'string' ? (JSON.parse(row.state) as unknown) : row.state;
    // a state made for another context length (the context definition changed) starts afresh
    if (policy === 'linucb' && (state as { dims?: unknown }).dims !== CONTEXT_DIMS)
      return { bandit: this.fresh(siteId, policy), updates: 0 };
    return { bandit: restoreBandit([...this.arms], state), updates: row.updates };
  }

  /**
   * What each policy would choose now in `context` — without storing anything (Thompson's draw is
   * repeatable: the same state gives the same choice until the next outcome).
   */
  async current(siteId: string, context: number[]): Promise<PolicyView[]> {
    const out: PolicyView[] = [];
    for (const policy of POLICIES) {
      const { bandit, updates } = await this.load(this.db, siteId, policy, false);
      const armId = bandit.choose(context);
      out.push({
        policy,
        choice: { armId, params: this.arms.find((a) => a.id === armId)!.params },
        scores: banditScores(bandit.state(), context),
        updates,
      });
    }
    return out;
  }

  /** Feeds a realised outcome (reward in EUR, higher = better) to both policies and logs it. */
  async recordOutcome(siteId: string, armId: string, context: number[], rewardEur: number): Promise<void> {
    if (!this.arms.some((a) => a.id === armId))
      throw new RangeError(`unknown arm "${armId}"; one of ${this.arms.map((a) => a.id).join(', ')}`);
    await this.db.transaction(async (tx) => {
      for (const policy of POLICIES) {
        // create the row first so `for update` has something to lock
        await tx.query(
          `insert into bandit_state (site_id, policy, state, updates) values ($1, $2, $3, 0) on conflict (site_id, policy) do nothing`,
          [siteId, policy, JSON.stringify(this.fresh(siteId, policy).state())],
        );
        const { bandit, updates } = await this.load(tx, siteId, policy, true);
        bandit.update(armId, context, rewardEur);
        await tx.query(`update bandit_state set state = $3, updates = $4, updated_at = now() where site_id = $1 and policy = $2`, [
          siteId,
          policy,
          JSON.stringify(bandit.state()),
          updates + 1,
        ]);
      }
      await tx.query('insert into bandit_outcomes (site_id, arm_id, context, reward_eur) values ($1, $2, $3, $4)', [
        siteId,
        armId,
        JSON.stringify(context),
        rewardEur,
      ]);
    });
  }

  /** Outcomes recorded for the site, newest first. */
  async outcomes(siteId: string, limit = 100): Promise<{ armId: string; context: number[]; rewardEur: number; recordedAtMs: number }[]> {
    const { rows } = await this.db.query<{ arm_id: string; context: unknown; reward_eur: number; recorded_at: Date | string }>(
      'select arm_id, context, reward_eur, recorded_at from bandit_outcomes where site_id = $1 order by id desc limit $2',
      [siteId, limit],
    );
    return rows.map((r) => ({
      armId: r.arm_id,
      context: (typeof r.context === 'string' ? JSON.parse(r.context) : r.context) as number[],
      rewardEur: r.reward_eur,
      recordedAtMs: new Date(r.recorded_at).getTime(),
    }));
  }
}
