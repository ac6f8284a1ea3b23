/**
 * Grid signals from a control box over Modbus TCP (adapter): polls the box's registers (the
 * devices layer's ModbusTcpClient and register decoding; the map is a device model file) and turns
 * LEVELS into signals:
 *   - a limit appears        → a new signal from now to now + holdS (source 'modbus', reference
 *                              `modbus:<boxId>:<kind>:<epoch ms>`), audited, published, replanned;
 *   - the same limit again   → the signal is kept alive (its end moved to now + holdS when half of
 *                              the hold is used; not announced);
 *   - another limit          → the old signal is cancelled and a new one starts;
 *   - "no limit" (not implemented value) → the signal is cancelled.
 * When the box cannot be read (offline, exception, invalid value) nothing is released: the signal
 * in force runs until holdS after the last poll that confirmed it, then ends. Signals of a box
 * survive a restart (they are stored) and are picked up again by their reference prefix.
 */
import type { ModbusModel } from '../../devices/definition.js';
import { ModbusExceptionError, ModbusTcpClient } from '../../devices/modbus/client.js';
import { planReads } from '../../devices/modbus/registers.js';
import type { Logger } from '../../ops/logger.js';
import type { GridSignal } from '../model.js';
import { boxReads, decodeBox, type BoxReading, type ControlBoxConfig } from './boxes.js';
import type { ControlInputsService } from './service.js';
import { GRID_SIGNAL_KINDS, parseSignalInput } from './validate.js';

export interface ControlBoxState {
  state: 'connecting' | 'online' | 'offline' | 'stopped';
  lastPollMs: number | null;
  lastError: string | null;
  polls: number;
}

const LIMITS = ['maxControllablePowerW', 'maxPvPowerW', 'maxExportPowerW', 'targetGridW'] as const;

export class ControlBoxInput {
  readonly status: ControlBoxState = { state: 'connecting', lastPollMs: null, lastError: null, polls: 0 };
  private readonly client: ModbusTcpClient;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastApplyError: string | undefined;

  constructor(
    readonly box: ControlBoxConfig,
    private readonly model: ModbusModel,
    private readonly inputs: ControlInputsService,
    private readonly log: Logger,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
    const c = box.connection;
    this.client = new ModbusTcpClient({ host: c.host, port: c.port, unitId: c.unitId, timeoutMs: c.timeoutMs });
  }

  get referencePrefix(): string {
    return `modbus:${this.box.id}:`;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.poll().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.box.connection.pollIntervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    this.client.close();
    this.status.state = 'stopped';
  }

  /** One poll: read, decode, apply. Never throws (errors go to the status and the log). */
  async poll(): Promise<void> {
    let reading: BoxReading;
    try {
      reading = await this.read();
    } catch (err) {
      this.client.close();
      this.transition('offline', (err as Error).message);
      return;
    }
    this.status.polls++;
    this.status.lastPollMs = this.now();
    this.transition('online', reading.errors.length ? reading.errors.join('; ') : null);
    if (reading.errors.length)
      this.log.warn({ siteId: this.box.siteId, box: this.box.id, errors: reading.errors }, 'control box: some values are not usable');
    try {
      await this.apply(reading, this.now());
      this.lastApplyError = undefined;
    } catch (err) {
      const message = (err as Error).message;
      this.status.lastError = message;
      // logged once per distinct problem, not on every poll
      if (message !== this.lastApplyError)
        this.log.error(
          { err, siteId: this.box.siteId, box: this.box.id },
          'control box: the signal could not be stored; retried on the next poll',
        );
      this.lastApplyError = message;
    }
  }

  private async read(): Promise<BoxReading> {
    if (!this.client.connected) await this.client.connect();
    const wanted = boxReads(this.model);
    const blocks = planReads(wanted, this.box.connection.maxRegistersPerRead, 8);
    const regs = new Map<string, ArrayLike<number>>();
    const readRange = (table: 'holding' | 'input', start: number, count: number) =>
      table === 'holding' ? this.client.readHoldingRegisters(start, count) : this.client.readInputRegisters(start, count);
    for (const b of blocks) {
      const inBlock = wanted.filter((w) => w.table === b.table && w.start >= b.start && w.start + w.count <= b.start + b.count);
      try {
        const words = await readRange(b.table, b.start, b.count);
        for (const w of inBlock) regs.set(w.point, words.subarray(w.start - b.start, w.start - b.start + w.count));
      } catch (err) {
        if (!(err instanceof ModbusExceptionError)) throw err;
        // the box refused the block (e.g. a gap): read point by point; a refused point marks its kind unreadable
        for (const w of inBlock) {
          try {
            regs.set(w.point, await readRange(w.table, w.start, w.count));
          } catch (e) {
            if (!(e instanceof ModbusExceptionError)) throw e;
          }
        }
      }
    }
    return decodeBox(this.model, regs);
  }

  /** Level → signals (see the file comment). */
  async apply(reading: BoxReading, nowMs: number): Promise<void> {
    const holdMs = this.box.holdS * 1000;
    const actor = { actor: { type: 'system' as const, name: `control box ${this.box.id}` } };
    const mine = this.inputs
      .upcomingSignals(this.box.siteId, nowMs)
      .filter((s) => s.source === 'modbus' && s.reference?.startsWith(this.referencePrefix));
    for (const kind of GRID_SIGNAL_KINDS) {
      const current = mine.find((s) => s.kind === kind);
      if (reading.broken.includes(kind)) continue; // unreadable: keep what is in force, do not extend
      const want = reading.wanted[kind];
      if (!want) {
        if (current) await this.inputs.cancelSignal(this.box.siteId, { id: current.id }, actor);
        continue;
      }
      if (current && sameLimits(current, want)) {
        if (current.toMs - nowMs < holdMs / 2) await this.inputs.extendSignal(current.id, nowMs + holdMs);
        continue;
      }
      if (current) await this.inputs.cancelSignal(this.box.siteId, { id: current.id }, actor);
      const parsed = parseSignalInput(
        { kind, from: nowMs, to: nowMs + holdMs, reference: `${this.referencePrefix}${kind}:${nowMs}`, ...want },
        nowMs,
      );
      if (!parsed.ok) {
        this.log.warn({ siteId: this.box.siteId, box: this.box.id, errors: parsed.errors }, `control box: ${kind} refused`);
        continue;
      }
      await this.inputs.receiveSignal(this.box.siteId, parsed.value, 'modbus', actor);
    }
  }

  private transition(state: ControlBoxState['state'], error: string | null): void {
    const prev = this.status.state;
    this.status.state = state;
    this.status.lastError = error;
    if (prev === state) return;
    const where = `${this.box.connection.host}:${this.box.connection.port}`;
    if (state === 'offline')
      this.log.warn(
        { siteId: this.box.siteId, box: this.box.id, err: error },
        `control box ${this.box.id} at ${where} unreachable: ${error}; signals in force are held until their end`,
      );
    else this.log.info({ siteId: this.box.siteId, box: this.box.id }, `control box ${this.box.id} at ${where} ${state}`);
  }
}

function sameLimits(s: GridSignal, want: Partial<Record<(typeof LIMITS)[number], number>>): boolean {
  return LIMITS.every((f) => s[f] === want[f]);
}
