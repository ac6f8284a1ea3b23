/**
 * `npm run eval:rag` — retrieval quality and speed of the knowledge layer on the shipped corpus
 * (21 German energy laws) with the question set knowledge/eval/questions.json:
 *   rag.hit_at_1, rag.hit_at_5, rag.mrr   ranks of the expected law section among the citations
 *   rag.retrieval_p95_ms                  retrieval latency (warm, one question at a time)
 *   rag.ingest_pages_per_s                corpus ingest rate; a page = one law section (§ or Anlage)
 *   rag.offtopic_rejected                 share of off-topic questions answered "not found"
 *   rag.ontopic_found                     share of corpus questions judged relevant (found = true)
 * First with the embedded default (PGlite, no embedder); on PostgreSQL too when DATABASE_URL is
 * set; the "with vectors" row only when an embedder is configured (see vectors.ts).
 * Options: --store pglite|postgres, --verbose (per-question ranks).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../api/src/ops/logger.js';
import { localObjectStore } from '../../../api/src/objects/index.js';
import { migrate, type Database } from '../../../api/src/store/index.js';
import { createTextExtractor } from '../../../api/src/knowledge/extract/index.js';
import { KNOWLEDGE_DIR } from '../../../api/src/knowledge/ontology.js';
import { KnowledgeService } from '../../../api/src/knowledge/service.js';
import { onEachStore, printHardware } from '../bench/stores.js';
import { firstHitRank, percentile, summarise, type Expected } from './metrics.js';
import { attachVectors } from './vectors.js';

interface QuestionSet {
  questions: Array<{ id: string; lang: string; question: string; expect: Expected[] }>;
  offTopic: Array<{ id: string; question: string }>;
}

const args = process.argv.slice(2);
const only = args.includes('--store') ? args[args.indexOf('--store') + 1] : undefined;
const verbose = args.includes('--verbose');
const set = JSON.parse(readFileSync(`${KNOWLEDGE_DIR}eval/questions.json`, 'utf8')) as QuestionSet;

const fmt = (x: number, d = 3) => x.toFixed(d);

async function evaluate(label: string, svc: KnowledgeService): Promise<void> {
  const ranks: Array<number | undefined> = [];
  const times: number[] = [];
  const byLang = new Map<string, Array<number | undefined>>();
  let found = 0;
  // warm-up: statistics load, query plans
  await svc.retrieve('Netzentgelt', 10, {});
  for (const q of set.questions) {
    const t = performance.now();
    const r = await svc.retrieve(q.question, 10, {});
    times.push(performance.now() - t);
    const rank = firstHitRank(
      r.passages.map((p) => ({ ...(p.law ? { law: p.law } : {}), section: p.section })),
      q.expect,
    );
    ranks.push(rank);
    byLang.set(q.lang, [...(byLang.get(q.lang) ?? []), rank]);
    if (r.found) found++;
    if (verbose)
      console.log(
        `# ${q.id} ${rank === undefined ? 'MISS' : `rank ${rank}`} found=${r.found} cov=${fmt(r.best?.coverage ?? 0, 2)} ` +
          `expect ${q.expect.map((e) => `${e.law} ${e.section}`).join('/')} got ${r.passages
            .slice(0, 3)
            .map((p) => `${p.law ?? p.document} ${p.section}`)
            .join(', ')} — ${q.question}`,
      );
  }
  let rejected = 0;
  for (const q of set.offTopic) {
    const r = await svc.retrieve(q.question, 5, {});
    if (!r.found) rejected++;
    else if (verbose) console.log(`# ${q.id} off-topic judged relevant (cov ${fmt(r.best?.coverage ?? 0, 2)}): ${q.question}`);
  }
  const s = summarise(ranks);
  console.log(`# ${label}: ${s.questions} questions (${[...byLang].map(([l, r]) => `${l} ${r.length}`).join(', ')})`);
  for (const [lang, r] of byLang) {
    const x = summarise(r);
    console.log(`#   ${lang}: hit@1 ${fmt(x.hitAt1)} hit@5 ${fmt(x.hitAt5)} mrr ${fmt(x.mrr)}`);
  }
  const tag = label.replace(/[^a-z0-9]+/gi, '_');
  console.log(`BENCH rag.hit_at_1.${tag} ${fmt(s.hitAt1)} ratio`);
  console.log(`BENCH rag.hit_at_5.${tag} ${fmt(s.hitAt5)} ratio`);
  console.log(`BENCH rag.mrr.${tag} ${fmt(s.mrr)} ratio`);
  console.log(`BENCH rag.retrieval_p95_ms.${tag} ${fmt(percentile(times, 95), 1)} ms`);
  console.log(`BENCH rag.retrieval_p50_ms.${tag} ${fmt(percentile(times, 50), 1)} ms`);
  console.log(`BENCH rag.ontopic_found.${tag} ${fmt(found / set.questions.length)} ratio`);
  console.log(`BENCH rag.offtopic_rejected.${tag} ${fmt(rejected / set.offTopic.length)} ratio`);
}

async function run(store: string, db: Database): Promise<void> {
  await migrate(db);
  const objectsDir = mkdtempSync(join(tmpdir(), 'luna-rag-objects-'));
  try {
    const log = createLogger('warn');
    const svc = new KnowledgeService({
      db,
      objects: localObjectStore(objectsDir),
      extractor: createTextExtractor({ adapter: 'builtin' }),
      log,
      docMaxBytes: 50 * 1024 * 1024,
    });
    const r = await svc.preloadShipped();
    const pagesPerS = r.pages / (r.ms / 1000);
    console.log(`# ${store}: indexed ${r.indexed} laws, ${r.pages} sections in ${fmt(r.ms / 1000, 1)} s`);
    console.log(`BENCH rag.ingest_pages_per_s.${store} ${fmt(pagesPerS, 1)} pages/s`);
    await evaluate(`${store}_lexical`, svc);
    const vectors = await attachVectors(svc, db, log);
    if (vectors === undefined) return;
    console.log(`# ${store}: vectors attached (${vectors}); evaluating hybrid retrieval`);
    await evaluate(`${store}_hybrid`, svc);
  } finally {
    rmSync(objectsDir, { recursive: true, force: true });
  }
}

printHardware();
console.log(`# question set: ${set.questions.length} questions, ${set.offTopic.length} off-topic`);
await onEachStore(run, only);
