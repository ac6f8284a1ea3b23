/**
 * ControlInputsService — manual overrides and grid-operator signals as the control agents see
 * them (ControlInputs, control/model.ts): an in-memory cache of the active items, backed by the
 * tables `overrides` and `grid_signals`, loaded on start (so both survive a restart), swept for
 * expiry once a second. Every change is stored, audited, published on the live bus
 * (LIVE_TOPICS.override / .signal) and announced to onChange listeners (agents: act on the next
 * tick; planning: `onSignalChange` → replan).
 *
 * Changes are serialised through one queue, so two deliveries of the same grid order (API and MQTT
 * at once) cannot both be stored.
 */
import { randomUUID } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import { recordAudit, SYSTEM, type Actor } from '../../audit/index.js';
import type { Logger } from '../../ops/logger.js';
import type { Database } from '../../store/index.js';
import { LIVE_TOPICS, type LiveOverride, type LiveSignal } from '../../live/topics.js';
import type { SiteEnergy } from '../../site-energy/model.js';
import { getSiteEnergy } from '../../site-energy/store.js';
import type { ControlInputs, GridSignal, Override } from '../model.js';
import * as store from './store.js';
import { assetRange, differingFields, parseOverrideInput, type SignalFields } from './validate.js';

/** Who made a change: the request's actor (user or API key) or the system (MQTT, Modbus control box, expiry). */
export interface ChangeContext {
  actor: Actor;
  requestId?: string;
  ip?: string;
}

/** A rejected input: `errors` name the field and the reason; `status` is the HTTP status the API answers. */
export class InputError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    readonly errors: string[],
  ) {
    super(errors.join('; '));
    this.name = 'InputError';
  }
}

export interface ControlInputsOptions {
  db: Database;
  log: Logger;
  /** live bus (app.bus); publish only */
  bus?: { publish(topic: string, message: unknown): Promise<void> };
  registry?: Registry;
  /** the site's energy configuration (assets and their ranges); default: table site_energy */
  siteEnergyOf?: (siteId: string) => Promise<SiteEnergy | undefined>;
  /** clock, epoch ms (tests jump it) */
  now?: () => number;
  /** expiry sweep period, ms (default 1000; 0 = no timer, call sweep() yourself) */
  sweepMs?: number;
  /**
   * a site that runs on its own clock (the demo on the accelerated simulator, LUNA_SIM_SPEED > 1):
   * its overrides and signals are stamped and expire on that clock, the one its agents tick on
   */
  siteClock?: (siteId: string) => (() => number) | undefined;
}

export interface SignalResult {
  signal: GridSignal;
  /** the same order (same reference, same content) was already stored */
  duplicate: boolean;
}

const RECENT_OVERRIDES = 50;

export class ControlInputsService implements ControlInputs {
  private readonly db: Database;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly activeOverrides = new Map<string, Override>(); // key site/asset
  private readonly openSignals = new Map<string, GridSignal>(); // key id
  private readonly listeners = new Set<(siteId: string) => void>();
  private readonly signalListeners = new Set<(siteId: string) => void>();
  private readonly signalsTotal: Counter<'kind' | 'source'>;
  private readonly overridesActive: Gauge;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ControlInputsOptions) {
    this.db = opts.db;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    const registers = opts.registry ? [opts.registry] : [];
    this.signalsTotal = new Counter({
      name: 'luna_grid_signals_total',
      help: 'Grid-operator signals received (new ones; duplicate deliveries are not counted) by kind and source (api, mqtt, modbus)',
      labelNames: ['kind', 'source'],
      registers,
    });
    const activeNow = () => this.countActiveOverrides(this.now());
    this.overridesActive = new Gauge({
      name: 'luna_overrides_active',
      help: 'Manual overrides in force now (all sites)',
      registers,
      collect() {
        this.set(activeNow());
      },
    });
  }

  /** Loads the active overrides and open signals and starts the expiry sweep. */
  async start(): Promise<void> {
    const nowMs = this.now();
    for (const o of await store.loadActiveOverrides(this.db, nowMs)) this.activeOverrides.set(`${o.siteId}/${o.assetId}`, o);
    for (const s of await store.loadOpenSignals(this.db, nowMs)) this.openSignals.set(s.id, s);
    const sweepMs = this.opts.sweepMs ?? 1000;
    if (sweepMs > 0) {
      this.timer = setInterval(
        () => void this.sweep(this.now()).catch((err: Error) => this.log.warn({ err }, 'control inputs: sweep failed')),
        sweepMs,
      );
      this.timer.unref();
    }
    this.log.info(
      { overrides: this.activeOverrides.size, signals: this.openSignals.size },
      `control inputs: ${this.activeOverrides.size} active override(s), ${this.openSignals.size} open grid signal(s) loaded`,
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.queue.catch(() => undefined);
  }

  // ---- ControlInputs -------------------------------------------------------------------------

  overrides(siteId: string, nowMs: number): Override[] {
    return [...this.activeOverrides.values()].filter((o) => o.siteId === siteId && o.createdAtMs <= nowMs && nowMs < o.expiresAtMs);
  }

  /** Signals IN FORCE at nowMs (fromMs ≤ nowMs < toMs, not cancelled); upcoming ones: upcomingSignals(). */
  signals(siteId: string, nowMs: number): GridSignal[] {
    return [...this.openSignals.values()].filter((s) => s.siteId === siteId && s.fromMs <= nowMs && nowMs < s.toMs);
  }

  onChange(listener: (siteId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- beyond the contract ----------------------------------------------------------------------

  /** Signals in force or still to come (toMs > nowMs), for planning around them. */
  upcomingSignals(siteId: string, nowMs: number): GridSignal[] {
    return [...this.openSignals.values()].filter((s) => s.siteId === siteId && nowMs < s.toMs).sort((a, b) => a.fromMs - b.fromMs);
  }

  /** Called when a grid signal arrives, is cancelled or ends (wire planning's replan here). */
  onSignalChange(listener: (siteId: string) => void): () => void {
    this.signalListeners.add(listener);
    return () => this.signalListeners.delete(listener);
  }

  /** Now on the site's clock (see siteClock): what a new override or signal of the site is stamped with. */
  nowFor(siteId: string): number {
    return this.siteNow(siteId, this.now());
  }

  async siteEnergy(siteId: string): Promise<SiteEnergy | undefined> {
    if (this.opts.siteEnergyOf) return this.opts.siteEnergyOf(siteId);
    const stored = await getSiteEnergy(this.db, siteId);
    // the demo on the simulator stores DEMO_SITE_ENERGY at start (app.ts); a site without a stored configuration has no assets
    return stored?.config;
  }

  /** Active overrides and the recent history (newest first, at most 50). */
  async listOverrides(siteId: string): Promise<{ active: Override[]; recent: Override[] }> {
    return { active: this.overrides(siteId, this.nowFor(siteId)), recent: await store.listOverrides(this.db, siteId, RECENT_OVERRIDES) };
  }

  /** Sets (or replaces) the manual override of an asset; the body is validated against the asset's physical range. */
  setOverride(siteId: string, assetId: string, body: unknown, ctx: ChangeContext): Promise<Override> {
    return this.serial(async () => {
      const site = await this.siteEnergy(siteId);
      if (!site)
        throw new InputError(404, 'no_site_energy', [
          `siteId: site ${siteId} has no energy configuration (PUT /sites/${siteId}/energy), so it has no assets to override`,
        ]);
      const range = assetRange(site, assetId);
      if (!range)
        throw new InputError(404, 'unknown_asset', [
          `assetId: site ${siteId} has no asset "${assetId}" (assets: ${[...site.batteries, ...site.pv, ...site.flexibleLoads].map((a) => a.id).join(', ') || 'none'})`,
        ]);
      if ('error' in range) throw new InputError(400, 'not_controllable', [range.error]);
      const nowMs = this.nowFor(siteId);
      const parsed = parseOverrideInput(body, range, nowMs);
      if (!parsed.ok) throw new InputError(400, 'invalid_override', parsed.errors);
      const key = `${siteId}/${assetId}`;
      const before = this.activeOverrides.get(key);
      const user = ctx.actor.type === 'user' ? ctx.actor : undefined;
      const override: Override = {
        id: randomUUID(),
        siteId,
        assetId,
        setpointW: parsed.value.setpointW,
        createdAtMs: nowMs,
        expiresAtMs: parsed.value.expiresAtMs,
        ...(user?.id !== undefined ? { userId: user.id } : {}),
        ...(user?.name !== undefined ? { userName: user.name } : {}),
        ...(parsed.value.reason !== undefined ? { reason: parsed.value.reason } : {}),
      };
      await this.db.transaction(async (tx) => {
        if (before) await store.releaseOverrideRow(tx, before.id, nowMs);
        await store.insertOverride(tx, override);
        await recordAudit(tx, {
          ...ctx,
          action: 'override.set',
          target: `asset:${siteId}/${assetId}`,
          siteId,
          ...(before ? { before } : {}),
          after: override,
        });
      });
      this.activeOverrides.set(key, override);
      await this.publishOverride(override, 'set');
      this.notify(siteId, false);
      return override;
    });
  }

  /** Hands the asset back to automation; undefined when no override is active. */
  releaseOverride(siteId: string, assetId: string, ctx: ChangeContext): Promise<Override | undefined> {
    return this.serial(async () => {
      const key = `${siteId}/${assetId}`;
      const nowMs = this.nowFor(siteId);
      const before = this.activeOverrides.get(key);
      if (!before || before.expiresAtMs <= nowMs) return undefined;
      const released: Override = { ...before, releasedAtMs: nowMs };
      await this.db.transaction(async (tx) => {
        await store.releaseOverrideRow(tx, before.id, nowMs);
        await recordAudit(tx, {
          ...ctx,
          action: 'override.release',
          target: `asset:${siteId}/${assetId}`,
          siteId,
          before,
          after: released,
        });
      });
      this.activeOverrides.delete(key);
      await this.publishOverride(released, 'released');
      this.notify(siteId, false);
      return released;
    });
  }

  /**
   * Stores a validated grid signal (see validate.ts parseSignalInput). A second delivery with the same
   * reference and the same content returns the stored one (`duplicate: true`); the same reference
   * with other content is refused (409, naming the fields that differ). `fromDefaulted`: the sender gave
   * no `from` (its start was taken as the receive time).
   */
  receiveSignal(
    siteId: string,
    fields: SignalFields,
    source: GridSignal['source'],
    ctx: ChangeContext,
    opts: { fromDefaulted?: boolean } = {},
  ): Promise<SignalResult> {
    return this.serial(async () => {
      if (fields.reference !== undefined) {
        const existing = await store.signalByReference(this.db, siteId, fields.reference);
        if (existing) {
          // a repeated delivery without `from` got a later default start: that is not a difference
          const diff = differingFields(existing, fields).filter((f) => !(f === 'fromMs' && opts.fromDefaulted));
          if (diff.length)
            throw new InputError(409, 'reference_conflict', [
              `reference: "${fields.reference}" is already signal ${existing.id} with other ${diff.join(', ')}; send a new reference or cancel it first`,
            ]);
          return { signal: existing, duplicate: true };
        }
      }
      const signal: GridSignal = { id: randomUUID(), siteId, ...fields, source, receivedAtMs: this.nowFor(siteId) };
      await this.db.transaction(async (tx) => {
        await store.insertSignal(tx, signal);
        await recordAudit(tx, { ...ctx, action: 'grid_signal.receive', target: `grid_signal:${signal.id}`, siteId, after: signal });
      });
      this.openSignals.set(signal.id, signal);
      this.signalsTotal.inc({ kind: signal.kind, source });
      this.log.info(
        { siteId, signalId: signal.id, kind: signal.kind, source, reference: signal.reference },
        `grid signal ${signal.kind} from ${source} for site ${siteId}: ${new Date(signal.fromMs).toISOString()} – ${new Date(signal.toMs).toISOString()}`,
      );
      await this.publishSignal(signal, 'received');
      this.notify(siteId, true);
      return { signal, duplicate: false };
    });
  }

  /** Cancels a signal by id (or by the operator's reference); cancelling twice returns the cancelled signal again. */
  cancelSignal(siteId: string, by: { id: string } | { reference: string }, ctx: ChangeContext): Promise<GridSignal> {
    return this.serial(async () => {
      const found =
        'id' in by ? await store.signalById(this.db, siteId, by.id) : await store.signalByReference(this.db, siteId, by.reference);
      if (!found)
        throw new InputError(404, 'not_found', [
          'id' in by
            ? `signalId: no grid signal ${by.id} on site ${siteId}`
            : `reference: no grid signal "${by.reference}" on site ${siteId}`,
        ]);
      if (found.cancelledAtMs !== undefined) return found;
      const nowMs = this.nowFor(siteId);
      const cancelled: GridSignal = { ...found, cancelledAtMs: nowMs };
      await this.db.transaction(async (tx) => {
        await store.cancelSignalRow(tx, found.id, nowMs);
        await recordAudit(tx, {
          ...ctx,
          action: 'grid_signal.cancel',
          target: `grid_signal:${found.id}`,
          siteId,
          before: found,
          after: cancelled,
        });
      });
      this.openSignals.delete(found.id);
      await this.publishSignal(cancelled, 'cancelled');
      this.notify(siteId, true);
      return cancelled;
    });
  }

  /** Moves the end of an open signal (the Modbus control box keeps a held level alive); not announced to listeners. */
  extendSignal(signalId: string, toMs: number): Promise<GridSignal | undefined> {
    return this.serial(async () => {
      const s = this.openSignals.get(signalId);
      if (!s || toMs <= s.toMs) return s;
      await store.extendSignalRow(this.db, signalId, toMs);
      const next = { ...s, toMs };
      this.openSignals.set(signalId, next);
      return next;
    });
  }

  listSignals(siteId: string, fromMs: number, toMs: number, limit: number): Promise<GridSignal[]> {
    return store.listSignals(this.db, siteId, fromMs, toMs, limit);
  }

  /** Ends what has expired at nowMs (a site with its own clock: at that clock's now): overrides (audited, published 'expired') and signals (published 'ended'). */
  sweep(nowMs: number): Promise<void> {
    return this.serial(async () => {
      const changed = new Map<string, boolean>();
      for (const [key, o] of this.activeOverrides) {
        if (o.expiresAtMs > this.siteNow(o.siteId, nowMs)) continue;
        this.activeOverrides.delete(key);
        await recordAudit(this.db, {
          actor: SYSTEM,
          action: 'override.expire',
          target: `asset:${o.siteId}/${o.assetId}`,
          siteId: o.siteId,
          before: o,
        });
        await this.publishOverride(o, 'expired');
        changed.set(o.siteId, changed.get(o.siteId) ?? false);
      }
      for (const [id, s] of this.openSignals) {
        if (s.toMs > this.siteNow(s.siteId, nowMs)) continue;
        this.openSignals.delete(id);
        await this.publishSignal(s, 'ended');
        changed.set(s.siteId, true);
      }
      for (const [siteId, signal] of changed) this.notify(siteId, signal);
    });
  }

  private countActiveOverrides(wallMs: number): number {
    let n = 0;
    for (const o of this.activeOverrides.values()) {
      const nowMs = this.siteNow(o.siteId, wallMs);
      if (o.createdAtMs <= nowMs && nowMs < o.expiresAtMs) n++;
    }
    return n;
  }

  /** The site's clock at wall time wallMs: the service clock, or the site's own (siteClock). */
  private siteNow(siteId: string, wallMs: number): number {
    const clock = this.opts.siteClock?.(siteId);
    return clock ? clock() : wallMs;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private notify(siteId: string, signal: boolean): void {
    const call = (l: (siteId: string) => void) => {
      try {
        l(siteId);
      } catch (err) {
        this.log.warn({ err, siteId }, 'control inputs: a change listener threw');
      }
    };
    for (const l of this.listeners) call(l);
    if (signal) for (const l of this.signalListeners) call(l);
  }

  private async publishOverride(override: Override, change: LiveOverride['change']): Promise<void> {
    const msg: LiveOverride = { siteId: override.siteId, override, change };
    await this.opts.bus?.publish(LIVE_TOPICS.override, msg).catch((err: Error) => this.log.warn({ err }, 'live: override not published'));
  }

  private async publishSignal(signal: GridSignal, change: LiveSignal['change']): Promise<void> {
    const msg: LiveSignal = { siteId: signal.siteId, signal, change };
    await this.opts.bus?.publish(LIVE_TOPICS.signal, msg).catch((err: Error) => this.log.warn({ err }, 'live: signal not published'));
  }
}
