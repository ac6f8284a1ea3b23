/**
 * Installation settings (admin): named JSON values, every change audited with before/after.
 * Keys are dotted names such as `ui.default_language`; `auth.*` is reserved for the service itself.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/index.js';
import { contextOf } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { errorResponses, strict } from '../http/schemas.js';
import type { Database } from '../store/index.js';

const Setting = Type.Object({ key: Type.String(), value: Type.Unknown(), updatedAt: Type.String({ format: 'date-time' }) });
const KeyParams = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$',
      maxLength: 100,
      description: 'dotted name, e.g. ui.default_language',
    }),
  },
  strict,
);
const Body = Type.Object({ value: Type.Unknown({ description: 'any JSON value' }) }, strict);

const RESERVED = /^auth\./;

export function registerSettingsRoutes(app: FastifyInstance, db: Database): void {
  app.get(
    '/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'All installation settings',
        response: { 200: { ...Type.Array(Setting), description: 'Settings' }, ...errorResponses },
      },
    },
    async () => {
      const { rows } = await db.query<{ key: string; value: unknown; updated_at: string }>(
        'select key, value, updated_at from settings order by key',
      );
      return rows
        .filter((r) => !RESERVED.test(r.key))
        .map((r) => ({ key: r.key, value: r.value, updatedAt: new Date(r.updated_at).toISOString() }));
    },
  );

  app.put<{ Params: Static<typeof KeyParams>; Body: Static<typeof Body> }>(
    '/settings/:key',
    {
      schema: {
        tags: ['settings'],
        summary: 'Set one setting (audited with before/after)',
        params: KeyParams,
        body: Body,
        response: { 200: { ...Setting, description: 'Stored' }, ...errorResponses },
      },
    },
    async (req) => {
      const { key } = req.params;
      if (RESERVED.test(key)) throw new HttpError(400, 'reserved_setting', `Settings under auth. are managed by the service`);
      if (req.body.value === undefined) throw new HttpError(400, 'bad_request', 'body/value is required');
      return db.transaction(async (tx) => {
        const prior = await tx.query<{ value: unknown }>('select value from settings where key = $1', [key]);
        const { rows } = await tx.query<{ updated_at: string }>(
          `insert into settings (key, value, updated_at) values ($1, $2, now())
         on conflict (key) do update set value = excluded.value, updated_at = now() returning updated_at`,
          [key, JSON.stringify(req.body.value)],
        );
        await recordAudit(tx, {
          ...contextOf(req),
          action: 'settings.update',
          target: `setting:${key}`,
          before: prior.rows[0]?.value ?? null,
          after: req.body.value,
        });
        return { key, value: req.body.value, updatedAt: new Date(rows[0]!.updated_at).toISOString() };
      });
    },
  );
}
