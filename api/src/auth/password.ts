/** Password policy (pure) and Argon2id hashing. */
import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, not importable under verbatimModuleSyntax)

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const COMMON = new Set([
  'password1234',
  'passwort1234',
  '123456789012',
  'qwertzuiop12',
  'qwertyuiop12',
  'administrator',
  'adminadmin12',
  'letmein12345',
  'welcome12345',
  'willkommen12',
  'sommer2024!!',
  'winter2024!!',
  'changeme1234',
  'energie12345',
]);

/** Returns the reasons a password is not acceptable (empty when it is). */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('must not contain the user name');
  if (COMMON.has(password.toLowerCase())) problems.push('is a commonly used password');
  if (/^(.)\1+$/.test(password)) problems.push('must not be one repeated character');
  return problems;
}

// OWASP's Argon2id recommendation: 19 MiB memory, 2 iterations, 1 lane.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so that timing does not reveal user names. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword('luna-dummy-password-for-timing'));
}
