/** Opaque secrets (session tokens, API keys, setup tokens): random, shown once, stored only as SHA-256. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'at' | 'rt' | 'key' | 'setup';

export function newToken(kind: TokenKind): string {
  return `luna_${kind}_${randomBytes(32).toString('base64url')}`;
}

export function tokenKind(token: string): TokenKind | undefined {
  const m = /^luna_(at|rt|key|setup)_[A-Za-z0-9_-]{43}$/.exec(token);
  return m ? (m[1] as TokenKind) : undefined;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
