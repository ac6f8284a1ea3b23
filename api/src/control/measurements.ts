/**
 * Where the agents get their measurements (adapters): the newest value per series key and the grid
 * meter's samples of the current quarter hour.
 *
 * - `ReadingsTap`: in memory, fed by the readings on their way to the ingest bus (`tap.wrap(bus)`),
 *   so the agents see a value the moment a driver or meter delivers it — no database round trip.
 *   The demo site's simulator paths go through it.
 * - `DbMeasurements`: the readings table (any site whose data reaches Luna by other paths).
 * - `newestOf(a, b)`: per key the newer of the two.
 */
import type { Reading } from '../ingest/model.js';
import type { Queryable } from '../store/index.js';
import type { PowerSample } from './peak.js';
import type { Sample } from './tick.js';

export interface MeasurementSource {
  /** newest sample per series key of the site */
  latest(siteId: string, keys: readonly string[]): Promise<Record<string, Sample | undefined>>;
  /** samples of one series with tsMs ≥ fromMs, oldest first (plus the last one before fromMs when known) */
  samples(siteId: string, key: string, fromMs: number): Promise<PowerSample[]>;
}

/** keeps this much history per series, ms (a quarter hour and a margin) */
const KEEP_MS = 20 * 60_000;

export class ReadingsTap implements MeasurementSource {
  private readonly bySeries = new Map<number, Sample[]>();
  private readonly keys = new Map<string, Map<string, number>>();
  /** wall time (performance.now) of the newest sample per series: the benchmark's "measurement in" */
  readonly arrivedAt = new Map<number, number>();

  /** Tells the tap which series id stands for which key of a site. */
  register(siteId: string, ids: Readonly<Record<string, number>>): void {
    const m = this.keys.get(siteId) ?? new Map<string, number>();
    for (const [k, id] of Object.entries(ids)) m.set(k, id);
    this.keys.set(siteId, m);
  }

  idOf(siteId: string, key: string): number | undefined {
    return this.keys.get(siteId)?.get(key);
  }

  observe(rows: readonly Reading[]): void {
    const now = performance.now();
    for (const r of rows) {
      if (!Number.isFinite(r.value)) continue;
      let list = this.bySeries.get(r.seriesId);
      if (!list) this.bySeries.set(r.seriesId, (list = []));
      const last = list[list.length - 1];
      if (last && r.tsMs < last.tsMs) {
        // out of order (a replay): insert in place
        const at = list.findIndex((s) => s.tsMs >= r.tsMs);
        if (list[at]?.tsMs === r.tsMs) list[at] = { tsMs: r.tsMs, value: r.value };
        else list.splice(at, 0, { tsMs: r.tsMs, value: r.value });
        continue;
      }
      if (last && r.tsMs === last.tsMs) list[list.length - 1] = { tsMs: r.tsMs, value: r.value };
      else list.push({ tsMs: r.tsMs, value: r.value });
      this.arrivedAt.set(r.seriesId, now);
      const newest = list[list.length - 1]!.tsMs;
      let drop = 0;
      while (drop < list.length - 1 && list[drop + 1]!.tsMs < newest - KEEP_MS) drop++;
      if (drop) list.splice(0, drop);
    }
  }

  /** An ingest bus that hands every batch to the tap, then to `target`. */
  wrap<T extends { enqueue(rows: Reading[]): Promise<void> }>(target: T): T {
    const observe = (rows: Reading[]) => this.observe(rows);
    return new Proxy(target, {
      get(t, prop, receiver) {
        if (prop === 'enqueue')
          return (rows: Reading[]) => {
            observe(rows);
            return t.enqueue(rows);
          };
        if (prop === 'write')
          return (rows: Reading[]) => {
            observe(rows);
            return (t as unknown as { write(r: Reading[]): Promise<unknown> }).write(rows);
          };
        const v = Reflect.get(t, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  }

  async latest(siteId: string, keys: readonly string[]): Promise<Record<string, Sample | undefined>> {
    const out: Record<string, Sample | undefined> = {};
    for (const k of keys) {
      const id = this.idOf(siteId, k);
      const list = id === undefined ? undefined : this.bySeries.get(id);
      out[k] = list?.[list.length - 1];
    }
    return out;
  }

  async samples(siteId: string, key: string, fromMs: number): Promise<PowerSample[]> {
    const id = this.idOf(siteId, key);
    const list = id === undefined ? [] : (this.bySeries.get(id) ?? []);
    let first = list.findIndex((s) => s.tsMs >= fromMs);
    if (first < 0) first = list.length;
    return list.slice(Math.max(0, first - 1)).map((s) => ({ tsMs: s.tsMs, powerW: s.value }));
  }
}

export class DbMeasurements implements MeasurementSource {
  private readonly ids = new Map<string, number>();

  constructor(private readonly db: Queryable) {}

  private async idOf(siteId: string, key: string): Promise<number | undefined> {
    const k = `${siteId}\u0000${key}`;
    const hit = this.ids.get(k);
    if (hit !== undefined) return hit;
    const { rows } = await this.db.query<{ id: number }>('select id from series where site_id = $1 and key = $2', [siteId, key]);
    if (rows[0]) this.ids.set(k, rows[0].id);
    return rows[0]?.id;
  }

  async latest(siteId: string, keys: readonly string[]): Promise<Record<string, Sample | undefined>> {
    const out: Record<string, Sample | undefined> = {};
    for (const key of keys) {
      const id = await this.idOf(siteId, key);
      if (id === undefined) {
        out[key] = undefined;
        continue;
      }
      const { rows } = await this.db.query<{ ts: Date | string; value: number }>(
        'select ts, value from readings where series_id = $1 order by ts desc limit 1',
        [id],
      );
      out[key] = rows[0] ? { tsMs: new Date(rows[0].ts).getTime(), value: rows[0].value } : undefined;
    }
    return out;
  }

  async samples(siteId: string, key: string, fromMs: number): Promise<PowerSample[]> {
    const id = await this.idOf(siteId, key);
    if (id === undefined) return [];
    const from = new Date(fromMs).toISOString();
    const { rows } = await this.db.query<{ ts: Date | string; value: number }>(
      `(select ts, value from readings where series_id = $1 and ts < $2 order by ts desc limit 1)
       union all (select ts, value from readings where series_id = $1 and ts >= $2 order by ts)`,
      [id, from],
    );
    return rows.map((r) => ({ tsMs: new Date(r.ts).getTime(), powerW: r.value })).sort((a, b) => a.tsMs - b.tsMs);
  }
}

/** Per key the newer sample of the two sources; samples from the source with the newer last sample. */
export function newestOf(a: MeasurementSource, b: MeasurementSource): MeasurementSource {
  return {
    async latest(siteId, keys) {
      const [x, y] = await Promise.all([a.latest(siteId, keys), b.latest(siteId, keys)]);
      const out: Record<string, Sample | undefined> = {};
      for (const k of keys) {
        const p = x[k];
        const q = y[k];
        out[k] = p && q ? (p.tsMs >= q.tsMs ? p : q) : (p ?? q);
      }
      return out;
    },
    async samples(siteId, key, fromMs) {
      const [x, y] = await Promise.all([a.samples(siteId, key, fromMs), b.samples(siteId, key, fromMs)]);
      const lx = x[x.length - 1]?.tsMs ?? -Infinity;
      const ly = y[y.length - 1]?.tsMs ?? -Infinity;
      return lx >= ly ? x : y;
    },
  };
}
