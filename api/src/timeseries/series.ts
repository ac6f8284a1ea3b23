/** Series: what is measured where — site, key, quantity, canonical unit, semantics. */
import { HttpError } from '../http/errors.js';
import { QUANTITIES, SEMANTICS, type Quantity, type Semantics } from '../ingest/model.js';
import type { Queryable } from '../store/index.js';
import { isConnectionError } from '../store/errors.js';

export interface Series {
  id: number;
  siteId: string;
  key: string;
  name: string;
  quantity: Quantity;
  unit: string;
  semantics: Semantics;
  intervalS: number | null;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

function toSeries(r: Record<string, unknown>): Series {
  return {
    id: r.id as number,
    siteId: r.site_id as string,
    key: r.key as string,
    name: r.name as string,
    quantity: r.quantity as Quantity,
    unit: r.unit as string,
    semantics: r.semantics as Semantics,
    intervalS: (r.interval_s as number | null) ?? null,
  };
}

const COLUMNS = 'id, site_id, key, name, quantity, unit, semantics, interval_s';

export async function listSeries(db: Queryable, siteId: string): Promise<Series[]> {
  const { rows } = await db.query<Record<string, unknown>>(`select ${COLUMNS} from series where site_id = $1 order by key`, [siteId]);
  return rows.map(toSeries);
}

export async function getSeries(db: Queryable, siteId: string, id: number): Promise<Series | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(`select ${COLUMNS} from series where site_id = $1 and id = $2`, [siteId, id]);
  return rows[0] ? toSeries(rows[0]) : undefined;
}

export interface NewSeries {
  key: string;
  name?: string;
  quantity: Quantity;
  semantics: Semantics;
  intervalS?: number;
}

export async function createSeries(db: Queryable, siteId: string, input: NewSeries): Promise<Series> {
  if (!KEY.test(input.key))
    throw new HttpError(400, 'invalid_key', 'key: 1–128 letters, digits and . _ : / -, starting with a letter or digit');
  if (!(input.quantity in QUANTITIES))
    throw new HttpError(400, 'invalid_quantity', `quantity must be one of ${Object.keys(QUANTITIES).join(', ')}`);
  if (!SEMANTICS.includes(input.semantics))
    throw new HttpError(400, 'invalid_semantics', `semantics must be one of ${SEMANTICS.join(', ')}`);
  const exists = await db.query('select 1 from series where site_id = $1 and key = $2', [siteId, input.key]);
  if (exists.rows.length) throw new HttpError(409, 'series_exists', `Series "${input.key}" exists on site ${siteId}`);
  const { rows } = await db.query<Record<string, unknown>>(
    `insert into series (site_id, key, name, quantity, unit, semantics, interval_s) values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [siteId, input.key, input.name ?? input.key, input.quantity, QUANTITIES[input.quantity], input.semantics, input.intervalS ?? null],
  );
  return toSeries(rows[0]!);
}

/** Last good lookups per site, used only while the database is unreachable (series rarely change). */
const lastKnownSeries = new Map<string, Map<number | string, Series>>();

/**
 * Looks up series of one site by id or key; unknown ones are absent from the result. While the
 * database is unreachable, answers from the last good lookups so ingest can go to the disk buffer.
 */
export async function resolveSeries(
  db: Queryable,
  siteId: string,
  refs: ReadonlyArray<number | string>,
): Promise<Map<number | string, Series>> {
  try {
    const found = await resolveSeriesNow(db, siteId, refs);
    const known = lastKnownSeries.get(siteId) ?? new Map<number | string, Series>();
    for (const [k, v] of found) known.set(k, v);
    lastKnownSeries.set(siteId, known);
    return found;
  } catch (err) {
    const known = lastKnownSeries.get(siteId);
    if (!isConnectionError(err) || !known) throw err;
    return new Map(refs.filter((r) => known.has(r)).map((r) => [r, known.get(r)!]));
  }
}

async function resolveSeriesNow(
  db: Queryable,
  siteId: string,
  refs: ReadonlyArray<number | string>,
): Promise<Map<number | string, Series>> {
  const ids = [...new Set(refs.filter((r): r is number => typeof r === 'number'))];
  const keys = [...new Set(refs.filter((r): r is string => typeof r === 'string'))];
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from series where site_id = $1 and (id = any($2::int[]) or key = any($3::text[]))`,
    [siteId, ids, keys],
  );
  const out = new Map<number | string, Series>();
  for (const s of rows.map(toSeries)) {
    out.set(s.id, s);
    out.set(s.key, s);
  }
  return out;
}
