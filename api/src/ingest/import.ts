/**
 * CSV/XLSX import: preview (detect the mapping, show what would be stored) and import (write the
 * rows of the columns the user mapped to series). Files are kept in the object store by their
 * SHA-256, so the preview's upload is what gets imported, and importing the same file twice is
 * harmless (duplicates).
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../http/errors.js';
import type { ObjectStore } from '../objects/index.js';
import type { Database } from '../store/index.js';
import { createSeries, resolveSeries } from '../timeseries/series.js';
import { detectMapping, parseTable, readTabular, type CsvMapping, type ParseResult } from './csv/index.js';
import { recordIngest } from './journal.js';
import type { Quantity, Reading, Rejection, Semantics } from './model.js';
import type { DstPolicy } from './normalise.js';
import type { IngestBus } from './bus.js';
import type { WriteResult } from './writer.js';

/** Lastgang files are resolved by order on the DST change day; a lone nonexistent time is refused. */
export const IMPORT_DST_POLICY: DstPolicy = { ambiguous: 'reject', nonexistent: 'reject' };
const CHUNK = 10_000;

export interface Preview {
  uploadId: string;
  filename: string;
  encoding: string;
  mapping: CsvMapping;
  rowCount: number;
  sample: Array<{ line: number; ts: string; values: Array<{ column: number; value: number; quality: string }> }>;
  rejections: Rejection[];
  rejectionCount: number;
  suggestedSeries: Array<{ column: number; key: string; quantity?: string; semantics?: string; unit?: string }>;
}

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/\[.*?\]|\(.*?\)/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100) || 'column';

async function load(objects: ObjectStore, siteId: string, uploadId: string): Promise<Uint8Array> {
  if (!/^[0-9a-f]{64}$/.test(uploadId)) throw new HttpError(400, 'bad_upload_id', 'uploadId must be the id returned by the preview');
  const bytes = await objects.get(`imports/${siteId}/${uploadId}`);
  if (!bytes) throw new HttpError(404, 'not_found', `No upload ${uploadId} for site ${siteId}: upload the file to the preview first`);
  return bytes;
}

async function parse(bytes: Uint8Array, filename: string, timeZone: string, mapping?: CsvMapping) {
  let file;
  try {
    file = await readTabular(bytes, filename);
  } catch (err) {
    throw new HttpError(400, 'unreadable_file', `${filename} cannot be read as CSV or XLSX: ${(err as Error).message}`);
  }
  if (file.table.rows.length === 0) throw new HttpError(400, 'empty_file', `${filename} has no data rows under a header line`);
  let used: CsvMapping;
  try {
    used = mapping ?? detectMapping(file.table);
  } catch (err) {
    throw new HttpError(400, 'no_mapping', `${filename}: ${(err as Error).message}`);
  }
  let result: ParseResult;
  try {
    result = parseTable(file.table, used, { timeZone, dstPolicy: IMPORT_DST_POLICY });
  } catch (err) {
    throw new HttpError(400, 'bad_mapping', `The mapping does not fit ${filename}: ${(err as Error).message}`);
  }
  return { file, mapping: used, result };
}

export async function previewImport(
  objects: ObjectStore,
  siteId: string,
  timeZone: string,
  bytes: Uint8Array,
  filename: string,
): Promise<Preview> {
  const uploadId = createHash('sha256').update(bytes).digest('hex');
  const { file, mapping, result } = await parse(bytes, filename, timeZone);
  await objects.put(`imports/${siteId}/${uploadId}`, bytes);
  return {
    uploadId,
    filename,
    encoding: file.encoding,
    mapping,
    rowCount: result.rows.length,
    sample: result.rows.slice(0, 10).map((r) => ({ line: r.line, ts: new Date(r.tsMs).toISOString(), values: r.values })),
    rejections: result.rejections.slice(0, 100),
    rejectionCount: result.rejections.length,
    suggestedSeries: mapping.values.map((v) => ({
      column: v.column,
      key: slug(v.header),
      ...(v.quantity ? { quantity: v.quantity } : {}),
      ...(v.semantics ? { semantics: v.semantics } : {}),
      ...(v.canonicalUnit ? { unit: v.canonicalUnit } : {}),
    })),
  };
}

export interface ColumnTarget {
  column: number;
  /** series key on the site */
  key: string;
  /** create the series when it does not exist */
  create?: { quantity: Quantity; semantics: Semantics; intervalS?: number; name?: string };
}

export interface ImportResult {
  rows: number;
  accepted: number;
  updated: number;
  duplicate: number;
  buffered: number;
  rejected: Rejection[];
}

export async function runImport(
  db: Database,
  objects: ObjectStore,
  writer: IngestBus,
  input: {
    siteId: string;
    timeZone: string;
    uploadId: string;
    filename: string;
    mapping?: CsvMapping;
    columns: ColumnTarget[];
    source: string;
  },
  onProgress?: (done: number, total: number) => void,
): Promise<ImportResult> {
  const bytes = await load(objects, input.siteId, input.uploadId);
  const { mapping, result } = await parse(bytes, input.filename, input.timeZone, input.mapping);
  const known = new Set(mapping.values.map((v) => v.column));
  for (const c of input.columns) {
    if (!known.has(c.column))
      throw new HttpError(
        400,
        'unknown_column',
        `Column ${c.column} is not a value column of this file (value columns: ${[...known].join(', ')})`,
      );
  }
  let series = await resolveSeries(
    db,
    input.siteId,
    input.columns.map((c) => c.key),
  );
  for (const c of input.columns) {
    if (series.has(c.key)) continue;
    if (!c.create)
      throw new HttpError(
        400,
        'unknown_series',
        `No series "${c.key}" on site ${input.siteId}: create it, or send create {quantity, semantics} for column ${c.column}`,
      );
    await createSeries(db, input.siteId, {
      key: c.key,
      quantity: c.create.quantity,
      semantics: c.create.semantics,
      ...(c.create.intervalS ? { intervalS: c.create.intervalS } : {}),
      ...(c.create.name ? { name: c.create.name } : {}),
    });
  }
  series = await resolveSeries(
    db,
    input.siteId,
    input.columns.map((c) => c.key),
  );
  const rejected: Rejection[] = [...result.rejections];
  const readings: Reading[] = [];
  for (const c of input.columns) {
    const s = series.get(c.key)!;
    const unit = mapping.values.find((v) => v.column === c.column)?.canonicalUnit;
    if (unit && unit !== s.unit) {
      throw new HttpError(400, 'unit_mismatch', `Column ${c.column} is in ${unit} but series ${s.key} is measured in ${s.unit}`);
    }
    for (const row of result.rows) {
      const v = row.values.find((x) => x.column === c.column);
      if (v) readings.push({ seriesId: s.id, tsMs: row.tsMs, value: v.value, quality: v.quality });
    }
  }
  const total: WriteResult = { inserted: 0, updated: 0, unchanged: 0, buffered: 0 };
  for (let i = 0; i < readings.length; i += CHUNK) {
    const r = await writer.write(readings.slice(i, i + CHUNK));
    total.inserted += r.inserted;
    total.updated += r.updated;
    total.unchanged += r.unchanged;
    total.buffered += r.buffered;
    onProgress?.(Math.min(i + CHUNK, readings.length), readings.length);
  }
  const accepted = total.inserted + total.buffered;
  await recordIngest(db, {
    siteId: input.siteId,
    source: input.source,
    accepted,
    duplicate: total.unchanged,
    rejections: rejected,
    detail: { file: input.filename, uploadId: input.uploadId },
  });
  return { rows: result.rows.length, accepted, updated: total.updated, duplicate: total.unchanged, buffered: total.buffered, rejected };
}
