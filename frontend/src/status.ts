/** Shape of GET /ready (see api). Parsed defensively: the UI must never crash on odd input. */
export type CheckState = 'up' | 'down' | 'disabled';

export interface ReadyCheck {
  name: string;
  adapter: string;
  target: string;
  state: CheckState;
  detail: string;
  latencyMs: number | null;
}

export interface ReadyResponse {
  status: 'ready' | 'not_ready';
  checks: ReadyCheck[];
  extensions: Record<string, boolean>;
  version: string;
  uptimeS: number | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Returns null if the body is not a /ready response at all. */
export function parseReady(body: unknown): ReadyResponse | null {
  if (!isRecord(body)) return null;
  if (body.status !== 'ready' && body.status !== 'not_ready') return null;
  const checks: ReadyCheck[] = Array.isArray(body.checks)
    ? body.checks.filter(isRecord).map((c) => ({
        name: str(c.name),
        adapter: str(c.adapter),
        target: str(c.target),
        state: c.state === 'up' || c.state === 'disabled' ? c.state : 'down',
        detail: str(c.detail),
        latencyMs: num(c.latencyMs),
      }))
    : [];
  const extensions: Record<string, boolean> = {};
  if (isRecord(body.extensions)) {
    for (const [k, v] of Object.entries(body.extensions)) extensions[k] = v === true;
  }
  return {
    status: body.status,
    checks,
    extensions,
    version: str(body.version),
    uptimeS: num(body.uptimeS),
  };
}
