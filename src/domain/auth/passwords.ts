import argon2 from 'argon2';
import { AppError } from '../../errors/index.ts';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/** argon2id with the library's defaults (64 MiB, t=3, p=4): OWASP-grade for an interactive login. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** A stored hash argon2 cannot read: a damaged row or a bad import, never a wrong password. */
export class UnreadablePasswordHashError extends Error {
  override name = 'UnreadablePasswordHashError';
}

/** True when `password` matches; throws UnreadablePasswordHashError when the stored hash is damaged. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch (err) {
    throw new UnreadablePasswordHashError('the stored password hash cannot be read', { cause: err });
  }
}

/** A hash of a random password, verified against when the account does not exist so timing reveals nothing. */
let decoyHash: Promise<string> | undefined;
export function decoyVerify(password: string): Promise<boolean> {
  decoyHash ??= hashPassword(`decoy-${Math.random()}`);
  return decoyHash.then((hash) => verifyPassword(hash, password));
}

/** The password policy: length bounds and not the username (in any case). */
export function assertPasswordPolicy(password: string, username: string): void {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  if (password.toLowerCase() === username.toLowerCase()) problems.push('must not equal the username');
  if (problems.length > 0) {
    throw new AppError('WEAK_PASSWORD', { detail: problems.map((message) => ({ path: 'password', message })) });
  }
}
