/**
 * Webhook delivery: POST the alert as JSON with an HMAC-SHA256 signature so the receiver can check
 * it came from this service and was not replayed:
 *   X-Luna-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 * A 2xx answer is delivered; anything else (status, timeout, refused) is an error the outbox retries.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface WebhookTarget {
  url: string;
  /** shared secret for the signature; without one the header is left out */
  secret?: string | undefined;
  timeoutMs?: number;
}

export const SIGNATURE_HEADER = 'x-luna-signature';

export function signWebhook(secret: string, body: string, unixS: number): string {
  return `t=${unixS},v1=${createHmac('sha256', secret).update(`${unixS}.${body}`).digest('hex')}`;
}

/** Receiver side (and tests): checks a signature header against the body; `toleranceS` bounds replays. */
export function verifyWebhook(secret: string, body: string, header: string, nowS: number, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(nowS - t) > toleranceS || parts.v1 === undefined) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function sendWebhook(target: WebhookTarget, payload: unknown, nowMs: number = Date.now()): Promise<void> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'luna-iems-alerts' };
  if (target.secret) headers[SIGNATURE_HEADER] = signWebhook(target.secret, body, Math.floor(nowMs / 1000));
  const res = await fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(target.timeoutMs ?? 10_000) });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`webhook ${target.url} answered HTTP ${res.status}`);
}
