/**
 * The control service (adapter around the pure tick): one loop per site with a SiteEnergy. Each
 * tick it reads the measurements, the plan in force, rules, overrides, grid signals and the
 * automation switch, runs `controlTick` (decide → envelope), writes the setpoints through the
 * device layer with each asset's revert timeout, stores every command (control_commands), audits
 * manual and grid-signal commands, publishes commands and agent states live, and counts it all.
 *
 * Never dies on one device's or one site's error: a failed write is recorded as a failed command
 * and retried next tick. A watchdog reports a loop whose tick is overdue by more than three ticks.
 * On start the agents resume from the stored plan (PlanSource) and the newest command per asset.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { recordAudit, SYSTEM } from '../audit/index.js';
import { LIVE_TOPICS, type LiveAgent } from '../live/topics.js';
import type { Logger } from '../ops/logger.js';
import type { RuleSet } from '../rules/index.js';
import type { SiteEnergy } from '../site-energy/model.js';
import type { Database } from '../store/index.js';
import type { ControlDevices } from './devices.js';
import type { MeasurementSource } from './measurements.js';
import type { CommandRecord, ControlInputs, PlanSource } from './model.js';
import { QUARTER_MS } from './peak.js';
import { CommandStore } from './store.js';
import { controlTick, type AgentMode, type AssetDecision, type DeviceView, type TickResult } from './tick.js';

export interface SiteControlSpec {
  siteId: string;
  energy: SiteEnergy;
  /** the site's clock (the demo site runs on the simulator's); default wall time */
  clock?: { now(): number; speed: number };
  measurements: MeasurementSource;
}

export interface ControlServiceOptions {
  db: Database;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  devices: ControlDevices;
  bus?: { publish(topic: string, message: unknown): Promise<void> };
  registry?: Registry;
  plans?: PlanSource;
  inputs?: ControlInputs;
  rules?: { active(siteId: string): Promise<RuleSet | null | undefined> };
  /** asked to re-plan when grid signals change (planning's replan) */
  replan?: (siteId: string, reason: string) => void;
  /** command history kept, days (default 30) */
  retentionDays?: number;
  /** overrides the tick of every site's SiteEnergy, ms (LUNA_CONTROL_TICK_MS) */
  tickMs?: number;
  /** ticks overdue before the watchdog reports (default 3) */
  watchdogTicks?: number;
  /** wall clock for the watchdog (tests) */
  wallNow?: () => number;
}

export interface AgentState extends LiveAgent {
  kind: AssetDecision['kind'];
  /** last written value, W, and when (site clock) */
  lastWrittenW?: number;
  lastWrittenAtMs?: number;
  lastResult?: CommandRecord['result'];
  lastError?: string;
  measurementAgeMs: number | null;
  watchdog: 'ok' | 'overdue';
}

export interface SiteLoopStatus {
  siteId: string;
  tickMs: number;
  ticks: number;
  lastTickAtMs: number | null;
  lastTickDurationMs: number | null;
  overdue: boolean;
  planId: string | null;
  peak: TickResult['peak'] | null;
  agents: AgentState[];
}

interface Metrics {
  ticks: Counter<'site'>;
  duration: Histogram<'site'>;
  commands: Counter<'source' | 'result'>;
  clamped: Counter<'limit'>;
  overdue: Gauge<'site'>;
}

function createMetrics(registry: Registry | undefined): Metrics {
  const registers = registry ? [registry] : [];
  return {
    ticks: new Counter({ name: 'luna_control_ticks_total', help: 'Control ticks run, per site', labelNames: ['site'], registers }),
    duration: new Histogram({
      name: 'luna_control_tick_duration_seconds',
      help: 'One control tick: measurements read → decisions → setpoints written → commands stored',
      labelNames: ['site'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    commands: new Counter({
      name: 'luna_control_commands_total',
      help: 'Setpoint commands by source (plan, rule, live-correction, peak-shaving, grid-signal, manual) and device result',
      labelNames: ['source', 'result'],
      registers,
    }),
    clamped: new Counter({
      name: 'luna_control_clamped_total',
      help: 'Commands the safety envelope clamped, by limit',
      labelNames: ['limit'],
      registers,
    }),
    overdue: new Gauge({
      name: 'luna_control_tick_overdue',
      help: '1 while a site control loop is overdue by more than three ticks (stalled), else 0',
      labelNames: ['site'],
      registers,
    }),
  };
}

class SiteLoop {
  readonly agents = new Map<string, AgentState>();
  last: Record<string, { writtenW: number; atMs: number } | undefined> = {};
  /** audit key per asset: source + override/signal ids of the previous command (audit on change) */
  private auditKey = new Map<string, string>();
  ticks = 0;
  lastTickAtMs: number | null = null;
  lastTickDurationMs: number | null = null;
  lastTickWall: number;
  overdue = false;
  planId: string | null = null;
  peak: TickResult['peak'] | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  readonly tickMs: number;
  /** wall ms between ticks: tickMs of site time / the clock's speed */
  readonly wallTickMs: number;

  constructor(
    readonly spec: SiteControlSpec,
    private readonly s: ControlService,
    tickMs: number | undefined,
  ) {
    this.tickMs = tickMs ?? spec.energy.control.tickMs;
    this.wallTickMs = Math.max(5, this.tickMs / (spec.clock?.speed ?? 1));
    this.lastTickWall = s.wallNow();
  }

  now(): number {
    return this.spec.clock?.now() ?? Date.now();
  }

  async resume(): Promise<void> {
    const last = await this.s.store.lastWritten(this.spec.siteId);
    for (const [assetId, c] of last) this.last[assetId] = { writtenW: c.writtenW, atMs: c.atMs };
    const plan = await this.s.o.plans?.active(this.spec.siteId, this.now()).catch(() => undefined);
    this.s.o.log.info(
      { site: this.spec.siteId, plan: plan?.id ?? null, resumedAssets: [...last.keys()] },
      `control: site ${this.spec.siteId} — ${plan ? `resuming from plan ${plan.id} (${plan.reason})` : 'no stored plan covers now'}; ` +
        `last setpoints of ${last.size} asset(s) loaded; tick ${this.tickMs} ms`,
    );
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.running
        .then(() => this.tick())
        .then(() => undefined)
        .catch((err: Error) => this.s.o.log.error({ site: this.spec.siteId, err: err.message }, 'control: tick failed; next tick retries'))
        .finally(() => {
          if (!this.stopped) {
            this.timer = setTimeout(loop, this.wallTickMs);
            this.timer.unref();
          }
        });
    };
    loop();
  }

  /** Runs a tick now (after the one in flight); for input changes and tests. */
  kick(): Promise<void> {
    const next = this.running.then(() => this.tick()).then(() => undefined);
    this.running = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running.catch(() => undefined);
  }

  async tick(): Promise<TickResult> {
    const t0 = performance.now();
    this.lastTickWall = this.s.wallNow();
    const { siteId, energy: e } = this.spec;
    const o = this.s.o;
    const nowMs = this.now();
    const keys = [e.grid.powerSeries, ...e.batteries.flatMap((b) => [b.powerSeries, b.socSeries]), ...e.pv.map((p) => p.powerSeries)];
    for (const f of e.flexibleLoads) if (f.powerSeries) keys.push(f.powerSeries);
    const quarterStart = Math.floor(nowMs / QUARTER_MS) * QUARTER_MS;
    const [latest, gridSamples, plan, rules, automationEnabled] = await Promise.all([
      this.spec.measurements.latest(siteId, keys),
      this.spec.measurements.samples(siteId, e.grid.powerSeries, quarterStart),
      o.plans ? o.plans.active(siteId, nowMs).catch(() => undefined) : Promise.resolve(undefined),
      o.rules ? o.rules.active(siteId).catch(() => undefined) : Promise.resolve(undefined),
      this.s.automation(siteId),
    ]);
    const devices: Record<string, DeviceView | undefined> = {};
    for (const id of new Set([
      ...e.batteries.map((b) => b.deviceId),
      ...e.flexibleLoads.map((f) => f.deviceId),
      ...e.pv.flatMap((p) => (p.deviceId ? [p.deviceId] : [])),
    ]))
      devices[id] = o.devices.view(siteId, id);
    const result = controlTick({
      siteId,
      energy: e,
      nowMs,
      automationEnabled,
      plan,
      overrides: o.inputs?.overrides(siteId, nowMs) ?? [],
      signals: o.inputs?.signals(siteId, nowMs) ?? [],
      rules: rules ?? undefined,
      latest,
      gridSamples,
      devices,
      last: this.last,
    });
    this.planId = plan?.id ?? null;
    this.peak = result.peak;
    const records: CommandRecord[] = [];
    await Promise.all(
      result.decisions.map(async (d) => {
        if (!d.command) return;
        const c = d.command;
        const rec: CommandRecord = {
          siteId,
          assetId: d.assetId,
          deviceId: c.deviceId,
          setpoint: c.setpoint,
          requestedW: c.requestedW,
          writtenW: c.writtenW,
          clampedBy: c.clampedBy,
          source: c.source,
          revertTimeoutS: c.revertTimeoutS,
          atMs: nowMs,
          result: 'ok',
          ...(c.override?.userId ? { userId: c.override.userId } : {}),
          ...(c.override?.userName ? { userName: c.override.userName } : {}),
        };
        try {
          await o.devices.write(siteId, c.deviceId, c.setpoint, c.deviceValue, c.revertTimeoutS);
          this.last[d.assetId] = { writtenW: c.writtenW, atMs: nowMs };
        } catch (err) {
          rec.result = 'failed';
          rec.error = (err as Error).message;
        }
        records.push(rec);
      }),
    );
    const durationMs = performance.now() - t0;
    this.s.afterTick(this, result, records, nowMs);
    await this.s.record(this, result, records, this.auditKey);
    this.ticks++;
    this.lastTickAtMs = nowMs;
    this.lastTickDurationMs = durationMs;
    this.s.metrics.ticks.inc({ site: siteId });
    this.s.metrics.duration.observe({ site: siteId }, durationMs / 1000);
    return result;
  }
}

export class ControlService {
  readonly store: CommandStore;
  readonly metrics: Metrics;
  readonly wallNow: () => number;
  private readonly loops = new Map<string, SiteLoop>();
  private watchdog: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly automationCache = new Map<string, { atWall: number; on: boolean }>();

  constructor(readonly o: ControlServiceOptions) {
    this.store = new CommandStore(o.db);
    this.metrics = createMetrics(o.registry);
    this.wallNow = o.wallNow ?? Date.now;
  }

  /** Starts a loop per site (resuming from the stored plan and commands), the watchdog and the retention job. */
  async start(sites: readonly SiteControlSpec[]): Promise<void> {
    for (const spec of sites) await this.addSite(spec);
    this.unsubscribe = this.o.inputs?.onChange((siteId) => {
      this.automationCache.delete(siteId);
      this.signalsMaybeChanged(siteId);
      const loop = this.loops.get(siteId);
      // act at once: the override or signal takes effect in this tick, not the next
      if (loop)
        void loop.kick().catch((err: Error) => this.o.log.warn({ site: siteId, err: err.message }, 'control: immediate tick failed'));
    });
    this.watchdog = setInterval(() => this.checkWatchdog(), 1_000);
    this.watchdog.unref();
    const prune = () =>
      void this.store
        .prune(Date.now() - (this.o.retentionDays ?? 30) * 86_400_000)
        .catch((err: Error) => this.o.log.warn({ err: err.message }, 'control: pruning old commands failed'));
    this.pruneTimer = setInterval(prune, 3_600_000);
    this.pruneTimer.unref();
  }

  async addSite(spec: SiteControlSpec): Promise<void> {
    await this.loops.get(spec.siteId)?.stop();
    const loop = new SiteLoop(spec, this, this.o.tickMs);
    await loop.resume();
    this.loops.set(spec.siteId, loop);
    loop.start();
  }

  async removeSite(siteId: string): Promise<void> {
    await this.loops.get(siteId)?.stop();
    this.loops.delete(siteId);
  }

  sites(): string[] {
    return [...this.loops.keys()];
  }

  /** Runs one tick of a site now (tests, benchmarks); undefined when the site has no loop. */
  async tickNow(siteId: string): Promise<TickResult | undefined> {
    const loop = this.loops.get(siteId);
    return loop ? loop.tick() : undefined;
  }

  status(siteId: string): SiteLoopStatus | undefined {
    const l = this.loops.get(siteId);
    if (!l) return undefined;
    return {
      siteId,
      tickMs: l.tickMs,
      ticks: l.ticks,
      lastTickAtMs: l.lastTickAtMs,
      lastTickDurationMs: l.lastTickDurationMs,
      overdue: l.overdue,
      planId: l.planId,
      peak: l.peak,
      agents: [...l.agents.values()].map((a) => ({ ...a, watchdog: l.overdue ? 'overdue' : 'ok' })),
    };
  }

  async automation(siteId: string): Promise<boolean> {
    const hit = this.automationCache.get(siteId);
    if (hit && this.wallNow() - hit.atWall < 2_000) return hit.on;
    const { rows } = await this.o.db.query<{ automation_enabled: boolean }>('select automation_enabled from sites where id = $1', [siteId]);
    const on = rows[0]?.automation_enabled ?? false;
    this.automationCache.set(siteId, { atWall: this.wallNow(), on });
    return on;
  }

  /** agent states after a tick; live messages when a mode, reason or setpoint changed */
  afterTick(loop: SiteLoop, result: TickResult, records: CommandRecord[], nowMs: number): void {
    const siteId = loop.spec.siteId;
    for (const d of result.decisions) {
      const rec = records.find((r) => r.assetId === d.assetId);
      const prev = loop.agents.get(d.assetId);
      const mode: AgentMode = d.mode;
      const state: AgentState = {
        siteId,
        assetId: d.assetId,
        kind: d.kind,
        mode,
        ...(d.reason ? { reason: d.reason } : {}),
        ...(rec ? { setpointW: rec.writtenW } : prev?.setpointW !== undefined && mode !== 'stopped' ? { setpointW: prev.setpointW } : {}),
        atMs: nowMs,
        ...(loop.last[d.assetId] ? { lastWrittenW: loop.last[d.assetId]!.writtenW, lastWrittenAtMs: loop.last[d.assetId]!.atMs } : {}),
        ...(rec ? { lastResult: rec.result } : prev?.lastResult ? { lastResult: prev.lastResult } : {}),
        ...(rec?.error ? { lastError: rec.error } : {}),
        measurementAgeMs: d.measurementAgeMs,
        watchdog: 'ok',
      };
      loop.agents.set(d.assetId, state);
      if (!prev || prev.mode !== state.mode || prev.reason !== state.reason || prev.setpointW !== state.setpointW) {
        if (prev?.mode !== state.mode && state.mode === 'stopped')
          this.o.log.warn({ site: siteId, asset: d.assetId, reason: d.reason }, `control: ${siteId}/${d.assetId} stopped: ${d.reason}`);
        else if (prev?.mode !== state.mode)
          this.o.log.info(
            { site: siteId, asset: d.assetId, mode: state.mode, reason: d.reason },
            `control: ${siteId}/${d.assetId} ${state.mode}`,
          );
        const live: LiveAgent = {
          siteId,
          assetId: d.assetId,
          mode: state.mode,
          ...(state.reason ? { reason: state.reason } : {}),
          ...(state.setpointW !== undefined ? { setpointW: state.setpointW } : {}),
          atMs: nowMs,
        };
        this.publish(LIVE_TOPICS.agent, live);
      }
    }
  }

  /** stores the commands, counts them, publishes them and audits manual / grid-signal episodes */
  async record(loop: SiteLoop, result: TickResult, records: CommandRecord[], auditKey: Map<string, string>): Promise<void> {
    for (const r of records) {
      this.metrics.commands.inc({ source: r.source, result: r.result });
      for (const l of r.clampedBy) this.metrics.clamped.inc({ limit: l });
      this.publish(LIVE_TOPICS.command, r);
    }
    try {
      await this.store.insert(records);
    } catch (err) {
      this.o.log.warn({ site: loop.spec.siteId, err: (err as Error).message }, 'control: commands could not be stored');
    }
    for (const d of result.decisions) {
      const c = d.command;
      const r = records.find((x) => x.assetId === d.assetId);
      if (!c || !r) {
        auditKey.delete(d.assetId);
        continue;
      }
      if (c.source !== 'manual' && c.source !== 'grid-signal') {
        auditKey.delete(d.assetId);
        continue;
      }
      // one audit entry per episode (a new override, a new set of signals) and per failure, not per tick
      const key = `${c.source}|${c.override?.id ?? ''}|${(c.signals ?? []).map((s) => s.id).join(',')}|${r.result}`;
      if (auditKey.get(d.assetId) === key) continue;
      auditKey.set(d.assetId, key);
      await recordAudit(this.o.db, {
        actor:
          c.source === 'manual' && c.override
            ? {
                type: 'user',
                ...(c.override.userId ? { id: c.override.userId } : {}),
                ...(c.override.userName ? { name: c.override.userName } : {}),
              }
            : SYSTEM,
        action: c.source === 'manual' ? 'command.override_applied' : 'command.grid_signal_applied',
        target: `${r.deviceId}/${r.setpoint}`,
        siteId: r.siteId,
        after: {
          assetId: r.assetId,
          requestedW: r.requestedW,
          writtenW: r.writtenW,
          clampedBy: r.clampedBy,
          revertTimeoutS: r.revertTimeoutS,
          result: r.result,
          ...(r.error ? { error: r.error } : {}),
          ...(c.override ? { overrideId: c.override.id } : {}),
          ...(c.signals ? { signals: c.signals.map((s) => ({ id: s.id, kind: s.kind, reference: s.reference ?? null })) } : {}),
        },
      }).catch((err: Error) => this.o.log.warn({ err: err.message }, 'control: audit entry could not be written'));
    }
  }

  private publish(topic: string, message: unknown): void {
    this.o.bus?.publish(topic, message).catch(() => undefined);
  }

  private checkWatchdog(): void {
    const limit = this.o.watchdogTicks ?? 3;
    for (const [siteId, l] of this.loops) {
      // at least 2 s of wall time: a fast simulated clock must not make a GC pause look like a stall
      const late = this.wallNow() - l.lastTickWall > Math.max(2_000, (limit + 1) * l.wallTickMs);
      if (late && !l.overdue)
        this.o.log.error(
          { site: siteId, lastTickWallMs: l.lastTickWall },
          `control: the loop of site ${siteId} is stalled (no tick for more than ${limit} ticks); devices fall back after their revert timeouts`,
        );
      if (!late && l.overdue) this.o.log.info({ site: siteId }, `control: the loop of site ${siteId} runs again`);
      l.overdue = late;
      this.metrics.overdue.set({ site: siteId }, late ? 1 : 0);
    }
  }

  private readonly signalIds = new Map<string, string>();
  /** grid signals of the site changed (not only an override): ask the planner to plan around them */
  private signalsMaybeChanged(siteId: string): void {
    const loop = this.loops.get(siteId);
    if (!loop || !this.o.inputs) return;
    const ids = this.o.inputs
      .signals(siteId, loop.now())
      .map((s) => `${s.id}:${s.cancelledAtMs ?? ''}`)
      .sort()
      .join(',');
    if (this.signalIds.get(siteId) === ids) return;
    this.signalIds.set(siteId, ids);
    this.o.replan?.(siteId, 'signal');
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await Promise.all([...this.loops.values()].map((l) => l.stop()));
  }
}
