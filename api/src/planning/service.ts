/**
 * The MPC planning service (adapter around the pure planner): for every site with a site_energy
 * configuration it re-plans
 *   - on a schedule (default every 15 min, aligned to the quarter hour), and once at start;
 *   - on events, found by a watch loop (default every 30 s): new prices stored, a new forecast
 *     issued, a large deviation of the measured grid power of the current step from the plan's
 *     gridW (threshold: LUNA_PLAN_DEVIATION_PCT of the import limit, once per step);
 *   - when asked: `replan(siteId, reason)` (grid signal changes from the control layer, a new site
 *     energy configuration, POST /sites/:siteId/plans).
 * Requests are debounced and coalesced per site, one solve per site at a time; solves run in a
 * worker thread (solver.ts). A site that cannot be planned (no forecast, no prices…) gets a
 * `waiting` status with the reason — never an exception. Plans go to the store (history kept
 * `retentionDays`) and out on LIVE_TOPICS.plan.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EventBus } from '../bus/index.js';
import type { GridSignal } from '../control/model.js';
import { LIVE_TOPICS, type LivePlan } from '../live/topics.js';
import type { Logger } from '../ops/logger.js';
import { getSiteEnergy, listSiteEnergy } from '../site-energy/store.js';
import type { SiteEnergy } from '../site-energy/model.js';
import type { Database } from '../store/index.js';
import { loadTariff } from '../tariffs/loader.js';
import type { Tariff } from '../tariffs/schema.js';
import { STEP_MS } from '../optimiser/model.js';
import type { Quantile } from '../forecast/model.js';
import { buildPlanInput, toActivePlan, type FlexibleDemand } from './planner.js';
import { changeMarkers, currentStepGridW, readInputs, seriesIdsByKey } from './inputs.js';
import { createSolver, type Solver } from './solver.js';
import { PlanStore, stepAt, type StoredPlan } from './store.js';

export interface PlanningOptions {
  db: Database;
  log: Logger;
  bus?: Pick<EventBus, 'publish'>;
  registry?: Registry;
  now?: () => number;
  /** re-plan period, ms (default 15 min; aligned to multiples of it) */
  intervalMs?: number;
  /** event watch period, ms (default 30 s) */
  watchMs?: number;
  /** re-plan when |measured − planned grid power| of the current step exceeds this share of the import limit (default 0.2) */
  deviationShare?: number;
  /** readings needed in the current step before a deviation counts (default 3) */
  deviationMinReadings?: number;
  /** coalescing window for event-driven re-plans, ms (default 2 s) */
  debounceMs?: number;
  /** first planning round after start, ms (default 5 s) */
  firstDelayMs?: number;
  /** keep plans this many days (default 30) */
  retentionDays?: number;
  quantile?: { load?: Quantile; pv?: Quantile };
  /** grid signals in force (the control layer's ControlInputs.signals) */
  signals?: (siteId: string, nowMs: number) => GridSignal[];
  /** what flexible loads still need (api/src/flexible: the open demands); without it flexible loads are left out of the plans */
  flexibleDemands?: (siteId: string, nowMs: number) => FlexibleDemand[] | Promise<FlexibleDemand[]>;
  /** no timers (tests drive replan/tick/watch themselves) */
  manual?: boolean;
  solver?: Solver;
}

export type PlanOutcome =
  | { planned: true; plan: StoredPlan }
  | { planned: false; siteId: string; reason: string; state: 'waiting' | 'not-configured' | 'error'; message: string };

export interface SiteStatus {
  siteId: string;
  state: 'idle' | 'planning' | 'planned' | 'waiting' | 'failed' | 'error';
  message: string;
  atMs: number;
  lastPlanId?: string;
}

export interface PlanningService {
  readonly store: PlanStore;
  /** (re)plans the site after the debounce window; resolves with the outcome of that solve */
  replan(siteId: string, reason: string): Promise<PlanOutcome>;
  /** plans now (no debounce; after a solve already running for the site) */
  planNow(siteId: string, reason: string): Promise<PlanOutcome>;
  /** what the planner last did for the site */
  status(siteId: string): SiteStatus | undefined;
  /** the scheduled round over all configured sites */
  tick(reason?: string): Promise<PlanOutcome[]>;
  /** one pass of the event watch (prices, forecasts, deviation) */
  watch(): Promise<void>;
  /** the grid-signal source (the control layer sets it) */
  setSignalSource(fn: (siteId: string, nowMs: number) => GridSignal[]): void;
  stop(): Promise<void>;
}

interface SiteState {
  chain: Promise<unknown>;
  queued?: { reasons: Set<string>; promise: Promise<PlanOutcome> };
  status?: SiteStatus;
  markers?: { prices: string; forecasts: string };
  deviationStepMs?: number;
}

export function startPlanningService(o: PlanningOptions): PlanningService {
  const now = o.now ?? Date.now;
  const log = o.log;
  const store = new PlanStore(o.db);
  const intervalMs = o.intervalMs ?? 15 * 60_000;
  const debounceMs = o.debounceMs ?? 2_000;
  const retentionMs = (o.retentionDays ?? 30) * 86_400_000;
  const deviationShare = o.deviationShare ?? 0.2;
  const deviationMinReadings = o.deviationMinReadings ?? 3;
  let signals = o.signals;
  let fellBack = false;
  const solver =
    o.solver ??
    createSolver({
      onFallback: (why) => {
        fellBack = true;
        log.warn({ err: why }, 'planning: the solver worker could not start; solving in-process (blocks the event loop while it solves)');
      },
    });
  const sites = new Map<string, SiteState>();
  const tariffs = new Map<string, Tariff>();
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];

  const solveSeconds = new Histogram({
    name: 'luna_plan_solve_seconds',
    help: 'Wall time of one plan solve in the solver worker, seconds',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: o.registry ? [o.registry] : [],
  });
  const plansTotal = new Counter({
    name: 'luna_plans_total',
    help: 'Planning attempts by outcome: optimal, infeasible, invalid, failed (stored plans), waiting (inputs missing), not-configured, error',
    labelNames: ['status'],
    registers: o.registry ? [o.registry] : [],
  });

  const state = (siteId: string): SiteState => {
    let s = sites.get(siteId);
    if (!s) {
      s = { chain: Promise.resolve() };
      sites.set(siteId, s);
    }
    return s;
  };
  const setStatus = (siteId: string, st: Omit<SiteStatus, 'siteId' | 'atMs'>) => {
    const s = state(siteId);
    s.status = { siteId, atMs: now(), ...(s.status?.lastPlanId ? { lastPlanId: s.status.lastPlanId } : {}), ...st };
  };

  async function tariffOf(id: string): Promise<Tariff> {
    let t = tariffs.get(id);
    if (!t) {
      t = await loadTariff(id);
      tariffs.set(id, t);
    }
    return t;
  }

  async function runOnce(siteId: string, reason: string): Promise<PlanOutcome> {
    const nowMs = now();
    const no = (st: 'waiting' | 'not-configured' | 'error', message: string): PlanOutcome => {
      plansTotal.inc({ status: st });
      setStatus(siteId, { state: st === 'not-configured' ? 'idle' : st, message });
      return { planned: false, siteId, reason, state: st, message };
    };
    let energy: SiteEnergy;
    let tariff: Tariff;
    try {
      const stored = await getSiteEnergy(o.db, siteId);
      if (!stored) return no('not-configured', `site ${siteId} has no energy configuration (PUT /sites/${siteId}/energy); not planned`);
      energy = stored.config;
      tariff = await tariffOf(energy.tariffId);
    } catch (err) {
      log.warn({ siteId, err: (err as Error).message }, `planning ${siteId}: configuration unusable`);
      return no('error', `configuration of site ${siteId} unusable: ${(err as Error).message}`);
    }
    setStatus(siteId, { state: 'planning', message: `planning (${reason})` });
    try {
      const read = await readInputs(o.db, siteId, energy, tariff, nowMs);
      const setup = buildPlanInput({
        siteId,
        nowMs,
        energy,
        tariff,
        load: { ...(read.load ? { forecast: read.load } : {}), ...(read.loadHistory ? { history: read.loadHistory } : {}) },
        pv: { ...(read.pv ? { forecast: read.pv } : {}), ...(read.pvHistory ? { history: read.pvHistory } : {}) },
        knownPrices: read.knownPrices,
        ...(read.price ? { priceForecast: read.price } : {}),
        socPct: read.socPct,
        peakSoFarW: read.peakSoFarW,
        signals: signals?.(siteId, nowMs) ?? [],
        flexibleDemands: (await o.flexibleDemands?.(siteId, nowMs)) ?? [],
        ...(o.quantile ? { quantile: o.quantile } : {}),
      });
      if (!setup.ok) {
        const msg = `waiting: ${setup.waiting}${read.missingSeries.length ? ` (series not on the site: ${read.missingSeries.join(', ')})` : ''}`;
        log.info({ siteId, reason }, `planning ${siteId}: ${msg}`);
        return no('waiting', msg);
      }
      if (read.missingSeries.length) setup.summary.warnings.push(`series not on the site: ${read.missingSeries.join(', ')}`);
      const { plan, solveMs } = await solver.solve(setup.input);
      solveSeconds.observe(solveMs / 1000);
      // The same horizon with the batteries idle (they keep what they hold, valued like the plan's
      // terminal value): what the plan saves. A small LP without batteries, a few ms.
      let baselineCostEur: number | null = null;
      const batteries = setup.input.batteries ?? [];
      if (plan.cost && batteries.length) {
        const base = await solver.solve({ ...setup.input, batteries: [] }).catch(() => undefined);
        const keptEur = batteries.reduce((sum, b) => sum + ((b.terminalValueEurPerKWh ?? 0) * b.initialSocWh) / 1000, 0);
        baselineCostEur = base?.plan.cost ? base.plan.cost.objectiveEur - keptEur : null;
      }
      plansTotal.inc({ status: plan.status });
      const active = toActivePlan({ id: '', siteId, createdAtMs: nowMs, reason }, energy, plan, read.peakSoFarW);
      const { id: _drop, ...rest } = active;
      void _drop;
      const stored = await store.insert({
        ...rest,
        status: plan.status,
        horizonStartMs: setup.summary.horizon.startMs,
        // an invalid/failed plan has no steps: it covers nothing
        horizonEndMs: plan.steps.length > 0 ? setup.summary.horizon.endMs : setup.summary.horizon.startMs,
        cost: plan.cost ? { ...plan.cost, baselineCostEur } : null,
        problems: plan.problems,
        inputs: setup.summary,
        solveMs,
      });
      const s = state(siteId);
      s.status = {
        siteId,
        atMs: now(),
        state: plan.status === 'optimal' || plan.status === 'infeasible' ? 'planned' : 'failed',
        message:
          plan.status === 'optimal'
            ? `planned ${plan.steps.length} steps (${reason})`
            : `${plan.status}: ${plan.problems
                .slice(0, 3)
                .map((p) => p.message)
                .join('; ')}`,
        lastPlanId: stored.id,
      };
      const live: LivePlan = {
        siteId,
        planId: stored.id,
        createdAtMs: stored.createdAtMs,
        reason,
        peakTargetW: stored.peakTargetW,
        ...(plan.cost ? { costEur: plan.cost.objectiveEur } : {}),
      };
      if (plan.status === 'optimal' || plan.status === 'infeasible')
        await o.bus?.publish(LIVE_TOPICS.plan, live).catch((err: Error) => log.warn({ err: err.message }, 'planning: publish failed'));
      log.info(
        { siteId, planId: stored.id, status: plan.status, steps: plan.steps.length, solveMs: Math.round(solveMs), reason },
        `planning ${siteId}: ${plan.status} plan of ${plan.steps.length} steps in ${Math.round(solveMs)} ms (${reason})`,
      );
      return { planned: true, plan: stored };
    } catch (err) {
      log.warn({ siteId, reason, err: (err as Error).message }, `planning ${siteId} failed`);
      return no('error', `planning failed: ${(err as Error).message}`);
    }
  }

  function enqueue(siteId: string, reason: string, delayMs: number): Promise<PlanOutcome> {
    const s = state(siteId);
    if (s.queued) {
      s.queued.reasons.add(reason);
      return s.queued.promise;
    }
    const reasons = new Set([reason]);
    const run = s.chain.then(async () => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      s.queued = undefined;
      if (stopped) return { planned: false, siteId, reason, state: 'error', message: 'planning service stopped' } as PlanOutcome;
      return runOnce(siteId, [...reasons].join('+'));
    });
    s.queued = { reasons, promise: run };
    s.chain = run.catch(() => undefined);
    return run;
  }

  async function configuredSites(): Promise<SiteEnergyRow[]> {
    const { sites: list, invalid } = await listSiteEnergy(o.db);
    for (const i of invalid) log.warn(i, `planning: ${i.error}`);
    return list.map((x) => ({ siteId: x.siteId, energy: x.config }));
  }

  async function tick(reason = 'schedule'): Promise<PlanOutcome[]> {
    const list = await configuredSites();
    const outcomes = await Promise.all(list.map((x) => enqueue(x.siteId, reason, 0)));
    if (reason === 'schedule' || reason === 'startup') {
      const removed = await store.prune(now() - retentionMs).catch(() => 0);
      if (removed > 0) log.info(`planning: removed ${removed} plan(s) older than ${retentionMs / 86_400_000} days`);
    }
    return outcomes;
  }

  async function watch(): Promise<void> {
    const nowMs = now();
    for (const { siteId, energy } of await configuredSites()) {
      if (stopped) return;
      const s = state(siteId);
      try {
        const m = await changeMarkers(o.db, siteId, energy.priceZone);
        if (s.markers) {
          if (m.prices !== s.markers.prices) void enqueue(siteId, 'prices', debounceMs);
          if (m.forecasts !== s.markers.forecasts) void enqueue(siteId, 'forecast', debounceMs);
        }
        s.markers = m;
        // deviation of the current step, once per step
        const stepMs = Math.floor(nowMs / STEP_MS) * STEP_MS;
        if (s.deviationStepMs === stepMs) continue;
        const plan = await store.active(siteId, nowMs);
        const step = plan ? stepAt(plan, nowMs) : undefined;
        if (!plan || !step) continue;
        const gridId = (await seriesIdsByKey(o.db, siteId, [energy.grid.powerSeries])).get(energy.grid.powerSeries);
        if (gridId === undefined) continue;
        const measured = await currentStepGridW(o.db, gridId, nowMs);
        if (!measured || measured.n < deviationMinReadings) continue;
        const threshold = deviationShare * Math.max(1, energy.grid.importLimitW);
        if (Math.abs(measured.meanW - step.gridW) > threshold) {
          s.deviationStepMs = stepMs;
          log.info(
            { siteId, measuredW: Math.round(measured.meanW), plannedW: step.gridW, thresholdW: threshold },
            `planning ${siteId}: grid power ${Math.round(measured.meanW)} W deviates from the plan's ${Math.round(step.gridW)} W; re-planning`,
          );
          void enqueue(siteId, 'deviation', debounceMs);
        }
      } catch (err) {
        log.warn({ siteId, err: (err as Error).message }, `planning ${siteId}: watch failed`);
      }
    }
  }

  if (!o.manual) {
    void configuredSites()
      .then((list) =>
        log.info(
          { sites: list.map((x) => x.siteId) },
          list.length > 0
            ? `planning for ${list.length} site(s): ${list.map((x) => x.siteId).join(', ')} (every ${intervalMs / 60_000} min and on new prices, forecasts, deviations)`
            : 'planning: no site has an energy configuration (PUT /sites/:siteId/energy); nothing to plan',
        ),
      )
      .catch(() => undefined);
    const first = setTimeout(() => void tick('startup').catch(() => undefined), o.firstDelayMs ?? 5_000);
    const aligned = setTimeout(
      () => {
        void tick().catch(() => undefined);
        const every = setInterval(() => void tick().catch(() => undefined), intervalMs);
        every.unref();
        timers.push(every);
      },
      intervalMs - (now() % intervalMs),
    );
    const watcher = setInterval(() => void watch().catch(() => undefined), o.watchMs ?? 30_000);
    for (const t of [first, aligned, watcher]) {
      t.unref();
      timers.push(t);
    }
  }

  return {
    store,
    replan: (siteId, reason) => enqueue(siteId, reason, debounceMs),
    planNow: (siteId, reason) => enqueue(siteId, reason, 0),
    status: (siteId) => {
      const st = sites.get(siteId)?.status;
      return st ? { ...st, ...(fellBack ? { message: `${st.message} (solving in-process)` } : {}) } : undefined;
    },
    tick,
    watch,
    setSignalSource(fn) {
      signals = fn;
    },
    async stop() {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      await Promise.all([...sites.values()].map((s) => s.chain));
      await solver.close();
    },
  };
}

interface SiteEnergyRow {
  siteId: string;
  energy: SiteEnergy;
}
