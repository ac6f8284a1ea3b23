/**
 * `npm run ingest:docs -- <folder> [options]` — uploads every document of a folder (recursively)
 * into a running Luna service through POST /ingest/doc, with progress; the service stores each
 * original, extracts, chunks and indexes it. Unchanged files are no-ops (same checksum).
 *
 *   --type regulation|report|note|datasheet   document type (default: the service's default)
 *   --jurisdiction DE  --source TEXT  --site ID  --tags a,b  --valid-from YYYY-MM-DD  --valid-to YYYY-MM-DD
 *   --url URL          service (default http://127.0.0.1:8080 or LUNA_URL)
 *   --token TOKEN      access token or API key with ingest on every site (default LUNA_TOKEN)
 *   --dry-run          list what would be sent
 * Exit code 1 when any file was rejected (each is listed with the reason).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { planFolder } from './plan.js';

function usage(message: string): never {
  console.error(
    `ingest:docs: ${message}\nusage: npm run ingest:docs -- <folder> [--type T] [--tags a,b] [--site ID] [--url URL] [--token TOKEN] [--dry-run]`,
  );
  process.exit(2);
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    type: { type: 'string' },
    jurisdiction: { type: 'string' },
    source: { type: 'string' },
    site: { type: 'string' },
    tags: { type: 'string' },
    'valid-from': { type: 'string' },
    'valid-to': { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
});
const folder = positionals[0];
if (!folder) usage('name the folder to ingest');
const base = (args.url ?? process.env.LUNA_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const token = args.token ?? process.env.LUNA_TOKEN;
if (!token && !args['dry-run']) usage('--token (or LUNA_TOKEN) is required: an access token or API key with ingest on every site');

const plan = planFolder(folder);
for (const s of plan.skipped) console.log(`skip ${s.path}: ${s.reason}`);
console.log(`${plan.files.length} document(s) to send from ${folder}${plan.skipped.length ? `, ${plan.skipped.length} skipped` : ''}`);
if (args['dry-run']) {
  for (const f of plan.files) console.log(`  ${f.relative} (${f.contentType}, ${f.sizeBytes} bytes)`);
  process.exit(0);
}

const meta = new URLSearchParams();
for (const [flag, param] of [
  ['type', 'type'],
  ['jurisdiction', 'jurisdiction'],
  ['source', 'source'],
  ['site', 'siteId'],
  ['tags', 'tags'],
  ['valid-from', 'validFrom'],
  ['valid-to', 'validTo'],
] as const) {
  const v = args[flag];
  if (typeof v === 'string') meta.set(param, v);
}

const started = performance.now();
const counts = { created: 0, superseded: 0, unchanged: 0, failed: 0 };
let pages = 0;
for (const [i, f] of plan.files.entries()) {
  const q = new URLSearchParams(meta);
  q.set('filename', f.name);
  q.set('key', f.relative.toLowerCase());
  const res = await fetch(`${base}/ingest/doc?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': f.contentType },
    body: readFileSync(f.path),
  }).catch((err: Error) => ({ ok: false, status: 0, json: async () => ({ message: err.message }) }) as const);
  const body = (await res.json().catch(() => ({}))) as {
    outcome?: keyof typeof counts;
    message?: string;
    document?: { pages: number; chunkCount: number };
  };
  const prefix = `[${i + 1}/${plan.files.length}]`;
  if (res.ok && body.outcome) {
    counts[body.outcome]++;
    pages += body.outcome === 'unchanged' ? 0 : (body.document?.pages ?? 0);
    console.log(
      `${prefix} ${body.outcome.padEnd(10)} ${f.relative} (${body.document?.pages ?? '?'} pages, ${body.document?.chunkCount ?? '?'} chunks)`,
    );
  } else {
    counts.failed++;
    console.log(`${prefix} FAILED     ${f.relative}: HTTP ${res.status} ${body.message ?? ''}`);
  }
}
const s = (performance.now() - started) / 1000;
console.log(
  `done in ${s.toFixed(1)} s: ${counts.created} new, ${counts.superseded} new version(s), ${counts.unchanged} unchanged, ${counts.failed} failed; ${pages} pages indexed (${(pages / Math.max(s, 0.001)).toFixed(1)} pages/s)`,
);
process.exit(counts.failed ? 1 : 0);
