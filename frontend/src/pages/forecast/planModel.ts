/**
 * The current plan as the dashboard shows it — pure, tolerant parsing of GET /sites/:id/plans/current
 * (ActivePlan of api/src/control/model.ts plus its cost breakdown and problems). Fields the answer
 * lacks stay null and are shown as "–", never guessed.
 */

export interface PlanStepView {
  startMs: number;
  gridW: number;
  /** summed over the batteries, W (+ discharge) */
  batteryW: number;
  /** mean over the batteries, %; null without batteries */
  socPct: number | null;
}

export interface CostItem {
  /** field path in the breakdown, e.g. "demandCharge.totalEur" */
  key: string;
  eur: number;
}

export interface PlanView {
  id: string;
  createdAtMs: number | null;
  reason: string;
  peakTargetW: number | null;
  steps: PlanStepView[];
  /** the plan's total cost over its horizon, EUR; null when not reported */
  totalEur: number | null;
  /** the cost without optimisation (baseline), EUR; null when not reported */
  baselineEur: number | null;
  /** the plan's own cost terms (import, feed-in, demand increase, wear, terminal value, objective) */
  items: CostItem[];
  /** the tariff's breakdown of the planned grid profile (energy, grid charges, demand, VAT …) */
  tariffItems: CostItem[];
  problems: string[];
  /** optimal | infeasible | … as the planner reports it; '' when not reported */
  status: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const sumRecord = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  if (!isRecord(v)) return null;
  const vals = Object.values(v).filter((x): x is number => typeof x === 'number');
  return vals.length ? vals.reduce((a, b) => a + b, 0) : null;
};
const meanRecord = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  if (!isRecord(v)) return null;
  const vals = Object.values(v).filter((x): x is number => typeof x === 'number');
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
};
const timeMs = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null;

/** Every finite number under a field ending in "Eur" (nested objects once deep, e.g. demandCharge.totalEur). */
export function costItems(breakdown: unknown, skip: readonly string[] = []): CostItem[] {
  if (!isRecord(breakdown)) return [];
  const out: CostItem[] = [];
  for (const [k, v] of Object.entries(breakdown)) {
    if (skip.includes(k)) continue;
    if (typeof v === 'number' && /Eur$/.test(k) && Number.isFinite(v)) out.push({ key: k, eur: v });
    else if (isRecord(v) && typeof v.totalEur === 'number') out.push({ key: `${k}.totalEur`, eur: v.totalEur });
  }
  return out;
}

function parseStep(v: unknown): PlanStepView | null {
  if (!isRecord(v)) return null;
  const startMs = timeMs(v.startMs ?? v.start);
  const gridW = num(v.gridW);
  if (startMs === null || gridW === null) return null;
  return { startMs, gridW, batteryW: sumRecord(v.batteryW) ?? 0, socPct: meanRecord(v.batterySocPct) };
}

function problemText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isRecord(v)) return typeof v.message === 'string' ? v.message : typeof v.reason === 'string' ? v.reason : JSON.stringify(v);
  return null;
}

export function parsePlan(body: unknown): PlanView | null {
  const plan = isRecord(body) && isRecord(body.plan) ? { ...body, ...body.plan } : body;
  if (!isRecord(plan) || !Array.isArray(plan.steps)) return null;
  const breakdown = [plan.cost, plan.costBreakdown, plan.breakdown].find(isRecord);
  const baseline = [plan.baseline, plan.baselineCost].find(isRecord);
  const total = num(plan.costEur) ?? num(plan.totalEur) ?? (breakdown ? (num(breakdown.objectiveEur) ?? num(breakdown.totalEur)) : null);
  const baselineEur =
    num(plan.baselineCostEur) ??
    num(plan.baselineEur) ??
    (baseline ? num(baseline.totalEur) : null) ??
    (total !== null && num(plan.savingsEur) !== null ? total + (plan.savingsEur as number) : null);
  return {
    id: typeof plan.id === 'string' ? plan.id : typeof plan.planId === 'string' ? plan.planId : '',
    createdAtMs: timeMs(plan.createdAtMs ?? plan.createdAt),
    reason: typeof plan.reason === 'string' ? plan.reason : '',
    peakTargetW: num(plan.peakTargetW),
    steps: plan.steps.map(parseStep).filter((s): s is PlanStepView => s !== null),
    totalEur: total,
    baselineEur,
    items: costItems(breakdown, ['tariff']),
    tariffItems: breakdown && isRecord(breakdown.tariff) ? costItems(breakdown.tariff) : [],
    status: typeof plan.status === 'string' ? plan.status : '',
    problems: (Array.isArray(plan.problems) ? plan.problems : []).map(problemText).filter((p): p is string => p !== null),
  };
}

/** Savings of the plan against its baseline, EUR (positive = cheaper); null when either is unknown. */
export function savingsEur(plan: PlanView): number | null {
  return plan.totalEur !== null && plan.baselineEur !== null ? plan.baselineEur - plan.totalEur : null;
}

/** The planned step in force at nowMs (15-minute steps), or null. */
export function stepAt(plan: PlanView, nowMs: number): PlanStepView | null {
  let found: PlanStepView | null = null;
  for (const s of plan.steps) if (s.startMs <= nowMs) found = s;
  return found && nowMs - found.startMs < 15 * 60_000 ? found : null;
}
