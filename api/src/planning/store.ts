/**
 * Plan storage (adapter): every plan the planner made — optimal, infeasible, invalid or failed —
 * with its steps (ActivePlanStep form), cost, problems and input summary, kept for the retention
 * period (default 30 days, `prune`). `PlanStore.active(siteId, nowMs)` is what the control agents
 * follow: the newest optimal or infeasible plan whose steps cover nowMs.
 */
import { randomUUID } from 'node:crypto';
import type { ActivePlan, ActivePlanStep, PlanSource } from '../control/model.js';
import type { PlanCost, PlanStatus, Problem } from '../optimiser/model.js';
import type { Queryable } from '../store/index.js';
import type { InputSummary } from './planner.js';
import { STEP_MS } from '../optimiser/model.js';

/**
 * The plan's cost, plus what the same horizon would cost without the batteries (the same optimiser
 * input with no battery: the dashboard's "savings" is the difference of the two objectives).
 */
export type StoredPlanCost = PlanCost & { baselineCostEur?: number | null };

export interface StoredPlan extends ActivePlan {
  status: PlanStatus;
  horizonStartMs: number;
  horizonEndMs: number;
  cost: StoredPlanCost | null;
  problems: Problem[];
  inputs: InputSummary | Record<string, never>;
  solveMs: number;
}

export type NewPlan = Omit<StoredPlan, 'id'> & { id?: string };

interface Row {
  id: string;
  site_id: string;
  created_at: Date | string;
  reason: string;
  status: PlanStatus;
  horizon_start: Date | string;
  horizon_end: Date | string;
  peak_target_w: number;
  cost: unknown;
  problems: unknown;
  steps?: unknown;
  inputs: unknown;
  solve_ms: number;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const COLUMNS = 'id, site_id, created_at, reason, status, horizon_start, horizon_end, peak_target_w, cost, problems, inputs, solve_ms';

function toPlan(r: Row): StoredPlan {
  return {
    id: r.id,
    siteId: r.site_id,
    createdAtMs: new Date(r.created_at).getTime(),
    reason: r.reason,
    status: r.status,
    horizonStartMs: new Date(r.horizon_start).getTime(),
    horizonEndMs: new Date(r.horizon_end).getTime(),
    peakTargetW: r.peak_target_w,
    cost: json<StoredPlanCost | null>(r.cost),
    problems: json<Problem[]>(r.problems),
    steps: r.steps === undefined ? [] : json<ActivePlanStep[]>(r.steps),
    inputs: json<InputSummary>(r.inputs),
    solveMs: r.solve_ms,
  };
}

export interface PlanPage {
  plans: StoredPlan[];
  /** pass as `before` for the next (older) page; null when this was the last */
  nextBefore: string | null;
}

export class PlanStore implements PlanSource {
  /**
   * The plan in force per site, as last read, and the 15-minute step it was read for: the agents ask
   * every tick (default 5 s) and a plan has up to 192 steps of JSON. Horizons start and end on step
   * boundaries, so within one step the answer changes only when a plan is inserted — through this
   * store (plans are written by the one planning service of the process), which drops the entry.
   */
  private readonly inForce = new Map<string, { stepMs: number; plan: StoredPlan }>();

  constructor(private readonly db: Queryable) {}

  async insert(p: NewPlan): Promise<StoredPlan> {
    const id = p.id ?? randomUUID();
    await this.db.query(
      `insert into plans (id, site_id, created_at, reason, status, horizon_start, horizon_end, peak_target_w, cost, problems, steps, inputs, solve_ms)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        id,
        p.siteId,
        new Date(p.createdAtMs).toISOString(),
        p.reason,
        p.status,
        new Date(p.horizonStartMs).toISOString(),
        new Date(p.horizonEndMs).toISOString(),
        p.peakTargetW,
        p.cost === null ? null : JSON.stringify(p.cost),
        JSON.stringify(p.problems),
        JSON.stringify(p.steps),
        JSON.stringify(p.inputs),
        p.solveMs,
      ],
    );
    this.inForce.delete(p.siteId);
    return { ...p, id };
  }

  /** The newest optimal or infeasible plan whose steps cover nowMs (what the agents follow). */
  async active(siteId: string, nowMs: number): Promise<StoredPlan | undefined> {
    const stepMs = Math.floor(nowMs / STEP_MS) * STEP_MS;
    const cached = this.inForce.get(siteId);
    if (cached && cached.stepMs === stepMs) return cached.plan;
    const { rows } = await this.db.query<Row>(
      `select ${COLUMNS}, steps from plans
        where site_id = $1 and status in ('optimal', 'infeasible') and horizon_start <= $2 and horizon_end > $2
        order by created_at desc, id desc limit 1`,
      [siteId, new Date(nowMs).toISOString()],
    );
    if (rows[0] === undefined) return undefined;
    const plan = toPlan(rows[0]);
    this.inForce.set(siteId, { stepMs, plan });
    return plan;
  }

  async get(siteId: string, id: string): Promise<StoredPlan | undefined> {
    const { rows } = await this.db.query<Row>(`select ${COLUMNS}, steps from plans where site_id = $1 and id = $2`, [siteId, id]);
    return rows[0] === undefined ? undefined : toPlan(rows[0]);
  }

  /** The newest plan of the site whatever its status (the last attempt). */
  async latest(siteId: string): Promise<StoredPlan | undefined> {
    const { rows } = await this.db.query<Row>(`select ${COLUMNS} from plans where site_id = $1 order by created_at desc, id desc limit 1`, [
      siteId,
    ]);
    return rows[0] === undefined ? undefined : toPlan(rows[0]);
  }

  /**
   * History, newest first, created in [fromMs, toMs), without steps (a plan has up to 192): paged by
   * `limit` and the cursor `before` (the created_at/id of the last plan of the previous page).
   */
  async list(siteId: string, opts: { fromMs?: number; toMs?: number; limit?: number; before?: string } = {}): Promise<PlanPage> {
    const limit = Math.min(500, Math.max(1, opts.limit ?? 50));
    let beforeAt: string | null = null;
    let beforeId: string | null = null;
    if (opts.before !== undefined) {
      const i = opts.before.lastIndexOf('_');
      beforeAt = new Date(Number(opts.before.slice(0, i))).toISOString();
      beforeId = opts.before.slice(i + 1);
    }
    const { rows } = await this.db.query<Row>(
      `select ${COLUMNS} from plans
        where site_id = $1
          and ($2::timestamptz is null or created_at >= $2::timestamptz)
          and ($3::timestamptz is null or created_at < $3::timestamptz)
          and ($4::timestamptz is null or (created_at, id) < ($4::timestamptz, $5::text))
        order by created_at desc, id desc limit $6`,
      [
        siteId,
        opts.fromMs === undefined ? null : new Date(opts.fromMs).toISOString(),
        opts.toMs === undefined ? null : new Date(opts.toMs).toISOString(),
        beforeAt,
        beforeId,
        limit + 1,
      ],
    );
    const plans = rows.slice(0, limit).map(toPlan);
    const last = plans[plans.length - 1];
    return { plans, nextBefore: rows.length > limit && last ? `${last.createdAtMs}_${last.id}` : null };
  }

  /** Deletes plans created before `beforeMs` whose horizon also ended by then (never one still in force); returns how many. */
  async prune(beforeMs: number): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      `delete from plans where created_at < $1
         and horizon_end <= $1 returning id`,
      [new Date(beforeMs).toISOString()],
    );
    return rows.length;
  }
}

/** Is `cursor` a valid `before` cursor (`<epoch ms>_<id>`)? */
export function isCursor(cursor: string): boolean {
  return /^\d{1,15}_[A-Za-z0-9-]{1,64}$/.test(cursor);
}

/** The step of an active plan that contains nowMs. */
export function stepAt(plan: ActivePlan, nowMs: number): ActivePlanStep | undefined {
  const first = plan.steps[0];
  if (first === undefined) return undefined;
  return plan.steps[Math.floor((nowMs - first.startMs) / STEP_MS)];
}
