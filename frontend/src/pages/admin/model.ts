/** Administration data — pure parsing and the role grant editing rules. */
import { isRole, type Role, type RoleGrant } from '../../access';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  siteId: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorType: string;
  actorName: string | null;
  action: string;
  target: string | null;
  siteId: string | null;
  before: unknown;
  after: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function parseApiKey(v: unknown): ApiKeyView | null {
  if (!isRecord(v) || typeof v.id !== 'string') return null;
  return {
    id: v.id,
    name: str(v.name),
    prefix: str(v.prefix),
    siteId: str(v.siteId),
    scopes: Array.isArray(v.scopes) ? v.scopes.map(String) : [],
    createdAt: str(v.createdAt),
    lastUsedAt: strOrNull(v.lastUsedAt),
    revokedAt: strOrNull(v.revokedAt),
  };
}

export function parseApiKeys(body: unknown): ApiKeyView[] {
  return Array.isArray(body) ? body.map(parseApiKey).filter((k): k is ApiKeyView => k !== null) : [];
}

export function parseAudit(body: unknown): AuditEntry[] {
  if (!Array.isArray(body)) return [];
  return body.filter(isRecord).flatMap((e) =>
    typeof e.id === 'number'
      ? [
          {
            id: e.id,
            at: str(e.at),
            actorType: str(e.actorType),
            actorName: strOrNull(e.actorName),
            action: str(e.action),
            target: strOrNull(e.target),
            siteId: strOrNull(e.siteId),
            before: e.before,
            after: e.after,
          },
        ]
      : [],
  );
}

/** The grants with one site's role set (or removed with null); one grant per site, sorted. */
export function withGrant(roles: readonly RoleGrant[], siteId: string, role: Role | null): RoleGrant[] {
  const rest = roles.filter((g) => g.siteId !== siteId);
  const next = role ? [...rest, { siteId, role }] : rest;
  return next.sort((a, b) => (a.siteId === '*' ? -1 : b.siteId === '*' ? 1 : a.siteId.localeCompare(b.siteId)));
}

export function parseRoleChoice(v: string): Role | null {
  return isRole(v) ? v : null;
}

/** A short text of what changed in an audit entry: "field: before → after" for changed top-level fields. */
export function auditChange(before: unknown, after: unknown): string {
  if (!isRecord(before) && !isRecord(after)) {
    if (before === undefined || before === null) return after === undefined || after === null ? '' : JSON.stringify(after);
    return `${JSON.stringify(before)} → ${JSON.stringify(after ?? null)}`;
  }
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => `${k}: ${k in b ? JSON.stringify(b[k]) : '–'} → ${k in a ? JSON.stringify(a[k]) : '–'}`)
    .join('; ');
}
