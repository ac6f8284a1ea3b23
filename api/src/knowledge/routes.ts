/** Knowledge routes: document upload, document list, and cited answers (`POST /rag/ask`). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { ErrorBody, errorResponses, notFound, strict } from '../http/schemas.js';
import { getSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { DOCUMENT_TYPES, type ChunkFilters } from './retrieve.js';
import { DocumentError, MAX_K, type KnowledgeService } from './service.js';
import type { DocumentRow } from './store.js';

export interface PreloadStatus {
  state: 'off' | 'running' | 'done' | 'failed';
  indexed: number;
  skipped: number;
  total: number;
  error?: string;
}

const isoDate = { pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' };
const DocType = Type.Union(DOCUMENT_TYPES.map((t) => Type.Literal(t)));

const Filters = Type.Object(
  {
    type: Type.Optional(Type.Union([DocType, Type.Array(DocType, { maxItems: 4 })])),
    jurisdiction: Type.Optional(Type.String({ maxLength: 32 })),
    law: Type.Optional(
      Type.Union([Type.String({ maxLength: 40 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: 30 })], {
        description: 'law abbreviation(s), e.g. EnWG',
      }),
    ),
    siteId: Type.Optional(Type.String({ maxLength: 63 })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, description: 'every tag must be on the document' })),
    validAt: Type.Optional(Type.String({ ...isoDate, description: 'only documents valid on this day (YYYY-MM-DD)' })),
    documentIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100 })),
  },
  { ...strict, description: 'metadata filters; all given fields must match' },
);

const AskBody = Type.Object(
  {
    question: Type.String({ minLength: 2, maxLength: 2000 }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_K, description: 'number of citations (default 5)' })),
    filters: Type.Optional(Filters),
  },
  strict,
);

const Citation = Type.Object({
  document: Type.String({ description: 'document title; for laws "EnWG – Energiewirtschaftsgesetz"' }),
  section: Type.String({ description: '"§ 14a" for laws, the heading path for other documents' }),
  paragraph: Type.Optional(Type.String({ description: '"Abs. 2" (laws)' })),
  page: Type.Optional(Type.Integer({ description: 'page, where the format has pages' })),
  score: Type.Number({ description: 'retrieval score (higher is better)' }),
  text: Type.String({ description: 'the retrieved passage' }),
  documentId: Type.String(),
  chunkId: Type.String(),
  headingPath: Type.Array(Type.String()),
});

const AskResponse = Type.Object(
  {
    answer: Type.String({
      description:
        'extractive (best passages, [n] marks the citation) or LLM-written; "Not found in the knowledge base." when nothing relevant',
    }),
    found: Type.Boolean(),
    citations: Type.Array(Citation, { description: 'in rank order' }),
    mode: Type.String({ description: '"extractive" or the answer generator' }),
    retrievers: Type.Array(Type.String()),
    corpusVersion: Type.Integer({ description: 'answers are cached per corpus version' }),
  },
  { description: 'A cited answer' },
);

const Document = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'versions of one document share it' }),
  version: Type.Integer(),
  checksum: Type.String({ description: 'SHA-256 of the original' }),
  title: Type.String(),
  law: Type.Union([Type.String(), Type.Null()]),
  lawName: Type.Union([Type.String(), Type.Null()]),
  type: DocType,
  jurisdiction: Type.Union([Type.String(), Type.Null()]),
  validFrom: Type.Union([Type.String(), Type.Null()]),
  validTo: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()]),
  siteId: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  filename: Type.String(),
  mimeType: Type.String(),
  sizeBytes: Type.Integer(),
  language: Type.String(),
  pages: Type.Integer({ description: 'law sections, document pages, or ~3,000-character pieces' }),
  chunkCount: Type.Integer(),
  status: Type.Union([Type.Literal('active'), Type.Literal('superseded')]),
  supersededBy: Type.Union([Type.String(), Type.Null()]),
  builtin: Type.Boolean({ description: 'shipped with the product' }),
  createdAt: Type.String(),
});

function toDocument(d: DocumentRow): Static<typeof Document> {
  const { docKey, createdBy: _createdBy, ...rest } = d;
  return { ...rest, key: docKey, sizeBytes: Math.round(d.sizeBytes) };
}

const UploadQuery = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 255, description: 'original file name; its extension helps detect the type' }),
    type: Type.Optional(DocType),
    title: Type.Optional(Type.String({ maxLength: 300 })),
    key: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'versions share a key; a new upload with the same key supersedes the old one (default: the file name)',
      }),
    ),
    jurisdiction: Type.Optional(Type.String({ maxLength: 32 })),
    validFrom: Type.Optional(Type.String(isoDate)),
    validTo: Type.Optional(Type.String(isoDate)),
    source: Type.Optional(Type.String({ maxLength: 500 })),
    siteId: Type.Optional(Type.String({ maxLength: 63 })),
    tags: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated' })),
  },
  strict,
);

const UploadResponse = Type.Object({
  outcome: Type.Union([Type.Literal('created'), Type.Literal('superseded'), Type.Literal('unchanged')], {
    description: 'unchanged: the same file (checksum) is already in the knowledge base',
  }),
  document: Document,
  supersededId: Type.Optional(Type.String()),
});

export function registerKnowledgeRoutes(
  app: FastifyInstance,
  db: Database,
  knowledge: KnowledgeService,
  preload: () => PreloadStatus,
  /** observation hooks (app.ts: latency histogram and trace span around each question) */
  hooks: { ask?: <T>(run: () => Promise<T>) => Promise<T> } = {},
): void {
  app.post<{ Body: Static<typeof AskBody> }>(
    '/rag/ask',
    {
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['knowledge'],
        summary: 'Ask the knowledge base: a cited answer from the energy laws and uploaded documents',
        description:
          'Retrieves the best passages (full-text search in German and English with energy-term synonyms, exact § references first, vectors when configured), then answers extractively — or with the configured LLM — citing document, section and page. Deterministic: the same question over the same corpus gives the same answer.',
        body: AskBody,
        response: { 200: AskResponse, ...errorResponses },
      },
    },
    async (req) => {
      const run = () =>
        knowledge.ask({
          question: req.body.question,
          ...(req.body.k ? { k: req.body.k } : {}),
          filters: (req.body.filters ?? {}) as ChunkFilters,
        });
      return hooks.ask ? hooks.ask(run) : run();
    },
  );

  const ListQuery = Type.Object(
    {
      includeSuperseded: Type.Optional(Type.Boolean({ description: 'also list older versions' })),
      siteId: Type.Optional(Type.String({ maxLength: 63 })),
    },
    strict,
  );
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/knowledge/documents',
    {
      schema: {
        tags: ['knowledge'],
        summary: 'Documents in the knowledge base, with the indexing state of the shipped corpus',
        querystring: ListQuery,
        response: {
          200: Type.Object(
            {
              documents: Type.Array(Document),
              corpusVersion: Type.Integer(),
              preload: Type.Object({
                state: Type.String({ description: 'off | running | done | failed' }),
                indexed: Type.Integer(),
                skipped: Type.Integer(),
                total: Type.Integer(),
                error: Type.Optional(Type.String()),
              }),
            },
            { description: 'Active documents (and older versions when asked), the corpus version and the preload state' },
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      documents: (
        await knowledge.list({
          ...(req.query.includeSuperseded ? { includeSuperseded: true } : {}),
          ...(req.query.siteId ? { siteId: req.query.siteId } : {}),
        })
      ).map(toDocument),
      corpusVersion: await knowledge.corpusVersion(),
      preload: preload(),
    }),
  );

  const DocParams = Type.Object({ documentId: Type.String({ maxLength: 64 }) }, strict);
  app.get<{ Params: Static<typeof DocParams> }>(
    '/knowledge/documents/:documentId',
    {
      schema: {
        tags: ['knowledge'],
        summary: 'One document version and its metadata',
        params: DocParams,
        response: { 200: { ...Document, description: 'The document version' }, ...errorResponses, ...notFound },
      },
    },
    async (req) => {
      const d = await knowledge.get(req.params.documentId);
      if (!d) throw new HttpError(404, 'not_found', `No document "${req.params.documentId}"`);
      return toDocument(d);
    },
  );

  // Uploads arrive as the raw body of any content type (PDF, DOCX, HTML, Markdown, text, CSV, XLSX).
  void app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // a clear 413 before the body is read, when the client says how large it is
    scope.addHook('onRequest', async (req) => {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > knowledge.maxBytes)
        throw new HttpError(413, 'too_large', `The document has ${length} bytes; the limit is ${knowledge.maxBytes} (LUNA_DOC_MAX_BYTES)`);
    });
    scope.post<{ Querystring: Static<typeof UploadQuery>; Body: Buffer }>(
      '/ingest/doc',
      {
        bodyLimit: knowledge.maxBytes,
        schema: {
          tags: ['knowledge'],
          summary: 'Upload a document (raw body) into the knowledge base; metadata in the query',
          description:
            'PDF, DOCX, HTML, Markdown, plain text, CSV or XLSX as the request body. The original is stored in the object store under its SHA-256; the same file again is a no-op (outcome "unchanged"); a new file with the same key supersedes the old version. Limits: LUNA_DOC_MAX_BYTES (413). Errors: 415 unsupported type, 422 corrupt, encrypted or empty, 503 extractor unavailable.',
          querystring: UploadQuery,
          response: {
            200: { ...UploadResponse, description: 'The same file was already there (unchanged)' },
            201: { ...UploadResponse, description: 'Stored and indexed' },
            ...errorResponses,
            ...notFound,
            413: { ...ErrorBody, description: 'Larger than LUNA_DOC_MAX_BYTES' },
            415: { ...ErrorBody, description: 'Not a supported document type' },
            422: { ...ErrorBody, description: 'Corrupt, encrypted or empty document' },
            503: { ...ErrorBody, description: 'The extractor (Tika) is unavailable; retry later' },
          },
        },
      },
      async (req, reply) => {
        const body = req.body;
        if (!Buffer.isBuffer(body) || body.length === 0)
          throw new HttpError(
            400,
            'empty_upload',
            'Send the document as the request body (any Content-Type; metadata in the query string)',
          );
        const q = req.query;
        if (q.validFrom && q.validTo && q.validFrom > q.validTo)
          throw new HttpError(400, 'bad_request', 'validFrom must not be after validTo');
        if (q.siteId && !(await getSite(db, q.siteId))) throw new HttpError(404, 'not_found', `No site "${q.siteId}"`);
        const actor = actorOf(req.principal);
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        try {
          const result = await knowledge.ingestDocument(new Uint8Array(body.buffer, body.byteOffset, body.length), {
            filename: q.filename,
            ...(contentType && contentType !== 'application/octet-stream' ? { mimeType: contentType } : {}),
            ...(q.key ? { key: q.key } : {}),
            ...(q.title ? { title: q.title } : {}),
            ...(q.type ? { type: q.type } : {}),
            ...(q.jurisdiction ? { jurisdiction: q.jurisdiction } : {}),
            ...(q.validFrom ? { validFrom: q.validFrom } : {}),
            ...(q.validTo ? { validTo: q.validTo } : {}),
            ...(q.source ? { source: q.source } : {}),
            ...(q.siteId ? { siteId: q.siteId } : {}),
            tags: (q.tags ?? '')
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
            ...(actor.type !== 'anonymous' ? { createdBy: `${actor.type}:${actor.name}` } : {}),
          });
          return reply.code(result.outcome === 'unchanged' ? 200 : 201).send({
            outcome: result.outcome,
            document: toDocument(result.document),
            ...(result.supersededId ? { supersededId: result.supersededId } : {}),
          });
        } catch (err) {
          if (err instanceof DocumentError) throw new HttpError(err.status, err.code, err.message, err.retryable ? 30 : undefined);
          throw err;
        }
      },
    );
  });
}
