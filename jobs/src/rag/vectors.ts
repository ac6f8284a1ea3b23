/**
 * The "with vectors" row of `npm run eval:rag`. Vectors need an embedder (OLLAMA_URL or
 * OPENAI_BASE_URL) and the vector adapters of api/src/knowledge/vectors (issue #9, model side).
 * When either is missing this says so on one line and the row is skipped — never faked.
 */
import type { Logger } from '../../../api/src/ops/index.js';
import type { Database } from '../../../api/src/store/index.js';
import type { KnowledgeService } from '../../../api/src/knowledge/service.js';

/** Hook the vector adapters may export from api/src/knowledge/vectors/index.ts. */
type AttachFn = (svc: KnowledgeService, db: Database, env: NodeJS.ProcessEnv, log: Logger) => Promise<string | undefined>;

/** Attaches a vector retriever/indexer to the service; returns its name, or undefined (with a printed reason) when skipped. */
export async function attachVectors(svc: KnowledgeService, db: Database, log: Logger): Promise<string | undefined> {
  if (!process.env.OLLAMA_URL && !process.env.OPENAI_BASE_URL) {
    console.log('# with vectors: SKIPPED — no embedder configured (set OLLAMA_URL or OPENAI_BASE_URL to measure hybrid retrieval)');
    return undefined;
  }
  let attach: AttachFn | undefined;
  try {
    const mod = (await import('../../../api/src/knowledge/vectors/index.js' as string)) as { attachForEval?: AttachFn };
    attach = mod.attachForEval;
  } catch (err) {
    console.log(`# with vectors: SKIPPED — vector adapters not loadable (${(err as Error).message})`);
    return undefined;
  }
  if (!attach) {
    console.log('# with vectors: SKIPPED — api/src/knowledge/vectors does not export attachForEval yet');
    return undefined;
  }
  const name = await attach(svc, db, process.env, log);
  if (name === undefined) console.log('# with vectors: SKIPPED — the vector adapter declined (see its log)');
  return name;
}
