/** CSV/XLSX import over HTTP: upload for a preview, then import the columns mapped to series. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, notFound, strict } from '../http/schemas.js';
import type { ObjectStore } from '../objects/index.js';
import { getSite } from '../sites/index.js';
import type { Database } from '../store/index.js';
import { QUANTITIES, SEMANTICS } from './model.js';
import { previewImport, runImport, type ColumnTarget } from './import.js';
import type { CsvMapping } from './csv/index.js';
import type { IngestBus } from './bus.js';

export const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
export const UPLOAD_TYPES = [
  'text/csv',
  'text/plain',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

const SiteParams = Type.Object({ siteId: Type.String({ maxLength: 63 }) }, strict);
const Rejected = Type.Array(
  Type.Object({ line: Type.Optional(Type.Integer()), field: Type.Optional(Type.String()), reason: Type.String() }),
);

export function registerImportRoutes(app: FastifyInstance, db: Database, objects: ObjectStore, writer: IngestBus): void {
  const siteZone = async (siteId: string) => {
    const site = await getSite(db, siteId);
    if (!site) throw new HttpError(404, 'not_found', `No site "${siteId}"`);
    return site.timeZone;
  };

  const PreviewQuery = Type.Object(
    { filename: Type.String({ minLength: 1, maxLength: 255, description: 'original file name (.csv or .xlsx)' }) },
    strict,
  );
  app.post<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof PreviewQuery>; Body: Buffer }>(
    '/sites/:siteId/imports/preview',
    {
      bodyLimit: UPLOAD_LIMIT_BYTES,
      schema: {
        tags: ['ingest'],
        summary: 'Upload a CSV/XLSX file (raw body) and see the detected mapping before anything is written',
        description:
          'Send the file as the request body (Content-Type text/csv, application/octet-stream or the xlsx type). Detects encoding, delimiter, decimal comma, header, units, time columns and status flags; local times use the site time zone, the repeated hour on the autumn DST day is resolved by row order. Nothing is stored but the file itself.',
        params: SiteParams,
        querystring: PreviewQuery,
        response: {
          200: Type.Object(
            {
              uploadId: Type.String(),
              filename: Type.String(),
              encoding: Type.String(),
              mapping: Type.Unknown({ description: 'editable; send it back with the import to override the detection' }),
              rowCount: Type.Integer(),
              sample: Type.Array(Type.Unknown()),
              rejections: Rejected,
              rejectionCount: Type.Integer(),
              suggestedSeries: Type.Array(Type.Unknown()),
            },
            { description: 'What the import would do' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        throw new HttpError(400, 'empty_upload', 'Send the file as the request body');
      return previewImport(objects, req.params.siteId, await siteZone(req.params.siteId), new Uint8Array(req.body), req.query.filename);
    },
  );

  const ImportBody = Type.Object(
    {
      uploadId: Type.String({ description: 'from the preview' }),
      filename: Type.String({ maxLength: 255 }),
      mapping: Type.Optional(
        Type.Object({}, { additionalProperties: true, description: 'the (edited) mapping from the preview; default: detected again' }),
      ),
      columns: Type.Array(
        Type.Object(
          {
            column: Type.Integer({ minimum: 0 }),
            key: Type.String({ minLength: 1, maxLength: 128, description: 'series key on the site' }),
            create: Type.Optional(
              Type.Object(
                {
                  quantity: Type.Union(Object.keys(QUANTITIES).map((q) => Type.Literal(q))),
                  semantics: Type.Union(SEMANTICS.map((s) => Type.Literal(s))),
                  intervalS: Type.Optional(Type.Integer({ minimum: 1 })),
                  name: Type.Optional(Type.String({ maxLength: 200 })),
                },
                strict,
              ),
            ),
          },
          strict,
        ),
        { minItems: 1 },
      ),
    },
    strict,
  );
  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof ImportBody> }>(
    '/sites/:siteId/imports',
    {
      schema: {
        tags: ['ingest'],
        summary: 'Import an uploaded file: the mapped columns go to their series; bad rows are reported by line and kept out',
        params: SiteParams,
        body: ImportBody,
        response: {
          200: Type.Object(
            {
              rows: Type.Integer(),
              accepted: Type.Integer(),
              updated: Type.Integer(),
              duplicate: Type.Integer(),
              buffered: Type.Integer(),
              rejected: Rejected,
            },
            { description: 'Counts and the rejected rows' },
          ),
          ...errorResponses,
          ...notFound,
        },
      },
    },
    async (req) => {
      const result = await runImport(db, objects, writer, {
        siteId: req.params.siteId,
        timeZone: await siteZone(req.params.siteId),
        uploadId: req.body.uploadId,
        filename: req.body.filename,
        ...(req.body.mapping ? { mapping: req.body.mapping as unknown as CsvMapping } : {}),
        columns: req.body.columns as ColumnTarget[],
        source: `csv:${req.body.filename} by ${actorOf(req.principal).name ?? 'unknown'}`,
      });
      return {
        ...result,
        rejected: result.rejected.map((r) => ({
          ...(r.line !== undefined ? { line: r.line } : {}),
          ...(r.field ? { field: r.field } : {}),
          reason: r.reason,
        })),
      };
    },
  );
}
