/** Checks the setup form can make before asking the service (which decides; see api/src/auth/password.ts). Pure. */
export const PASSWORD_MIN_LENGTH = 12;

export type SetupProblem =
  | { kind: 'token'; field: 'token' }
  | { kind: 'username'; field: 'username' }
  | { kind: 'short'; field: 'password' }
  | { kind: 'hasName'; field: 'password' }
  | { kind: 'differ'; field: 'repeat' };

export function setupProblem(input: { token: string; username: string; password: string; repeat: string }): SetupProblem | null {
  const username = input.username.trim();
  if (!input.token.trim()) return { kind: 'token', field: 'token' };
  if (username.length < 2) return { kind: 'username', field: 'username' };
  if (input.password.length < PASSWORD_MIN_LENGTH) return { kind: 'short', field: 'password' };
  if (input.password.toLowerCase().includes(username.toLowerCase())) return { kind: 'hasName', field: 'password' };
  if (input.password !== input.repeat) return { kind: 'differ', field: 'repeat' };
  return null;
}
