import type { ApiKeyScope, Role } from './roles.js';

/** Who is calling: a signed-in user (through a session) or a machine (through an API key). */
export type Principal =
  | { kind: 'user'; userId: string; username: string; sessionId: string; grants: ReadonlyMap<string, Role> }
  | { kind: 'api_key'; keyId: string; name: string; siteId: string; scopes: readonly ApiKeyScope[] };
