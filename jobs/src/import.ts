/**
 * `npm run import -- --site musterwerk --file lastgang.csv --column 3=netz/bezug [options]`
 *
 * Imports a CSV/XLSX meter export into a running Luna service: the file is read and checked here
 * (the same detection as the dashboard's preview), bad rows are listed with line and reason, and
 * the good readings are sent in batches to POST /ingest/readings with a progress bar.
 *
 *   --site ID            site id (required)
 *   --file PATH          .csv or .xlsx (required)
 *   --column N=KEY[:QUANTITY:SEMANTICS[:INTERVAL_S]]
 *                        value column (0-based, as in the preview) → series key; with quantity and
 *                        semantics the series is created when missing. Repeatable. Default: every
 *                        value column to its suggested key, created as detected.
 *   --url URL            service (default http://127.0.0.1:8080 or LUNA_URL)
 *   --token TOKEN        API key or access token (default LUNA_TOKEN) with ingest (and configure to create series)
 *   --dry-run            show the mapping and the rejected rows, send nothing
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { detectMapping, parseTable, readTabular } from '../../api/src/ingest/csv/index.js';
import { IMPORT_DST_POLICY } from '../../api/src/ingest/import.js';

const BATCH = 5_000;

function usage(message: string): never {
  console.error(
    `import: ${message}\nusage: npm run import -- --site ID --file PATH [--column N=KEY[:QUANTITY:SEMANTICS[:INTERVAL_S]]] [--url URL] [--token TOKEN] [--dry-run]`,
  );
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    site: { type: 'string' },
    file: { type: 'string' },
    column: { type: 'string', multiple: true },
    url: { type: 'string' },
    token: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
});
if (!args.site) usage('--site is required');
if (!args.file) usage('--file is required');
const base = (args.url ?? process.env.LUNA_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const token = args.token ?? process.env.LUNA_TOKEN;
if (!token && !args['dry-run']) usage('--token (or LUNA_TOKEN) is required: an API key with ingest scope or an access token');

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${json.message ?? ''}`.trim());
  return json;
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${total ? Math.round((done / total) * 100) : 100}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} readings`;
}

const bytes = new Uint8Array(readFileSync(args.file));
const { table, encoding } = await readTabular(bytes, args.file);
const mapping = detectMapping(table);
const timeZone = args['dry-run'] && !token ? 'Europe/Berlin' : (await api<{ timeZone: string }>('GET', `/sites/${args.site}`)).timeZone;
const { rows, rejections } = parseTable(table, mapping, { timeZone, dstPolicy: IMPORT_DST_POLICY });

console.log(
  `file: ${basename(args.file)} (${encoding}, ${mapping.layout}, delimiter ${JSON.stringify(mapping.dialect.delimiter)}, decimal ${JSON.stringify(mapping.dialect.decimal)})`,
);
console.log(`time: ${timeZone}, timestamps mark the interval ${mapping.time.role}`);
for (const v of mapping.values)
  console.log(`column ${v.column}: "${v.header}" ${v.unit ?? 'no unit'} → ${v.quantity ?? '?'} (${v.semantics})`);
for (const w of mapping.warnings) console.log(`warning: ${w}`);
console.log(`${rows.length} rows read, ${rejections.length} rejected`);
for (const r of rejections.slice(0, 50)) console.log(`  line ${r.line}${r.field ? `, ${r.field}` : ''}: ${r.reason}`);
if (rejections.length > 50) console.log(`  … and ${rejections.length - 50} more`);

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/\[.*?\]|\(.*?\)/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'column';
const targets = (args.column ?? []).map((spec) => {
  const m = /^(\d+)=([^:]+)(?::([a-z_]+):([a-z]+)(?::(\d+))?)?$/.exec(spec);
  if (!m) usage(`--column ${spec}: expected N=KEY or N=KEY:QUANTITY:SEMANTICS[:INTERVAL_S]`);
  return {
    column: Number(m[1]),
    key: m[2]!,
    ...(m[3] ? { create: { quantity: m[3], semantics: m[4]!, ...(m[5] ? { intervalS: Number(m[5]) } : {}) } } : {}),
  };
});
if (targets.length === 0) {
  for (const v of mapping.values) {
    if (!v.quantity) usage(`column ${v.column} ("${v.header}") has no known quantity: map it with --column`);
    targets.push({
      column: v.column,
      key: slug(v.header),
      create: {
        quantity: v.quantity,
        semantics: v.semantics,
        ...(mapping.time.intervalMinutes ? { intervalS: mapping.time.intervalMinutes * 60 } : {}),
      },
    });
  }
}
if (args['dry-run']) {
  for (const t of targets) console.log(`would import column ${t.column} → series ${t.key}`);
  process.exit(0);
}

const existing = new Set((await api<Array<{ key: string }>>('GET', `/sites/${args.site}/series`)).map((s) => s.key));
for (const t of targets) {
  if (existing.has(t.key)) continue;
  if (!t.create)
    throw new Error(`series ${t.key} does not exist on ${args.site}: give --column ${t.column}=${t.key}:QUANTITY:SEMANTICS to create it`);
  await api('POST', `/sites/${args.site}/series`, { key: t.key, ...t.create });
  console.log(`created series ${t.key}`);
}

const readings = targets.flatMap((t) =>
  rows.flatMap((r) =>
    r.values.filter((v) => v.column === t.column).map((v) => ({ series: t.key, ts: r.tsMs, value: v.value, quality: v.quality })),
  ),
);
const totals = { accepted: 0, updated: 0, duplicate: 0, buffered: 0, rejected: 0 };
for (let i = 0; i < readings.length; i += BATCH) {
  const r = await api<{ accepted: number; updated: number; duplicate: number; buffered: number; rejected: unknown[] }>(
    'POST',
    '/ingest/readings',
    {
      siteId: args.site,
      source: `import:${basename(args.file)}`,
      readings: readings.slice(i, i + BATCH),
    },
  );
  totals.accepted += r.accepted;
  totals.updated += r.updated;
  totals.duplicate += r.duplicate;
  totals.buffered += r.buffered;
  totals.rejected += r.rejected.length;
  if (process.stderr.isTTY) process.stderr.write(`\r${bar(Math.min(i + BATCH, readings.length), readings.length)}`);
  else if (i === 0 || i + BATCH >= readings.length) console.error(bar(Math.min(i + BATCH, readings.length), readings.length));
}
if (process.stderr.isTTY) process.stderr.write('\n');
console.log(
  `done: ${totals.accepted} new, ${totals.updated} corrected, ${totals.duplicate} unchanged, ${totals.buffered} buffered, ${totals.rejected + rejections.length} rejected`,
);
