/**
 * API keys for machines (meters, gateways, scripts): one site, scopes read/ingest, the secret shown
 * once and stored as SHA-256, last use recorded by authentication, revocation effective at once.
 */
import { recordAudit } from '../audit/index.js';
import { HttpError } from '../http/errors.js';
import type { Database } from '../store/index.js';
import type { ApiKeyScope } from './roles.js';
import type { RequestContext } from './service.js';
import { hashToken, newToken } from './tokens.js';

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  siteId: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export class ApiKeyService {
  constructor(private readonly db: Database) {}

  async listApiKeys(): Promise<ApiKeyView[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      'select id, name, prefix, site_id, scopes, created_at, last_used_at, revoked_at from api_keys order by created_at desc',
    );
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      prefix: r.prefix as string,
      siteId: r.site_id as string,
      scopes: r.scopes as ApiKeyScope[],
      createdAt: iso(r.created_at)!,
      lastUsedAt: iso(r.last_used_at),
      revokedAt: iso(r.revoked_at),
    }));
  }

  /** The secret is returned here once and never again: only its hash is stored. */
  async createApiKey(
    input: { name: string; siteId: string; scopes: ApiKeyScope[] },
    ctx: RequestContext & { userId?: string },
  ): Promise<{ key: ApiKeyView; secret: string }> {
    const site = await this.db.query('select 1 from sites where id = $1', [input.siteId]);
    if (!site.rows.length) throw new HttpError(400, 'unknown_site', `No site "${input.siteId}"; an API key belongs to one site`);
    const secret = newToken('key');
    const prefix = secret.slice(0, 16);
    const scopes = [...new Set(input.scopes)].sort();
    const id = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        'insert into api_keys (name, prefix, key_hash, site_id, scopes, created_by) values ($1, $2, $3, $4, $5, $6) returning id',
        [input.name, prefix, hashToken(secret), input.siteId, scopes, ctx.userId ?? null],
      );
      const keyId = rows[0]!.id;
      await recordAudit(tx, {
        ...ctx,
        action: 'api_key.create',
        target: `api_key:${keyId}`,
        siteId: input.siteId,
        after: { name: input.name, scopes, prefix },
      });
      return keyId;
    });
    const key = (await this.listApiKeys()).find((k) => k.id === id)!;
    return { key, secret };
  }

  async revokeApiKey(id: string, ctx: RequestContext): Promise<ApiKeyView> {
    const { rows } = await this.db.query<{ id: string; site_id: string }>(
      'update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning id, site_id',
      [id],
    );
    if (!rows.length) throw new HttpError(404, 'not_found', `No API key ${id}`);
    await recordAudit(this.db, { ...ctx, action: 'api_key.revoke', target: `api_key:${id}`, siteId: rows[0]!.site_id });
    return (await this.listApiKeys()).find((k) => k.id === id)!;
  }
}
