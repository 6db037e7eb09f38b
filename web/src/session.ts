import { ApiError, api, ok, useTokenSource, type Schema } from './api.ts';
import { Store } from './store.ts';
import { withCrossTabLock } from './crossTabLock.ts';

export type Role = 'user' | 'operator' | 'admin';
const ROLES: Role[] = ['user', 'operator', 'admin'];

/** Admins pass every role check, operators pass `operator` and `user`. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export type Me = Schema<'PrivateUser'>;

/**
 * Who is signed in. `loading` until the first refresh attempt answers (a reload restores the session from
 * the refresh cookie). The access token lives only here, in memory: never in localStorage or a cookie
 * that scripts can read.
 */
export type SessionState = { status: 'loading' } | { status: 'signedOut' } | { status: 'signedIn'; me: Me };

export const session = new Store<SessionState>({ status: 'loading' });
let accessToken: string | undefined;
let refreshing: Promise<boolean> | undefined;

/** Asks the server for the browser variant of the token pair: the refresh token as an HttpOnly cookie. */
const COOKIE_MODE = { 'x-plaza-refresh': 'cookie' };

useTokenSource({
  accessToken: () => accessToken,
  refreshAfter401: () => refresh(),
});

async function loadMe(): Promise<void> {
  const me = await ok(api.GET('/users/me'));
  session.set({ status: 'signedIn', me });
}

/**
 * Trades the refresh cookie for a new access token. One refresh at a time in this tab, and one at a time
 * across every tab of the console: the tabs share the cookie, and presenting a refresh token another tab
 * has just spent revokes the whole login. Holding the lock, the request carries whatever cookie the tab
 * before left, so each tab spends a fresh one.
 */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const { data, response } = await withCrossTabLock('plaza-refresh', () =>
        api.POST('/auth/refresh', { body: {}, headers: COOKIE_MODE }),
      );
      if (!response.ok || !data) {
        accessToken = undefined;
        session.set({ status: 'signedOut' });
        return false;
      }
      accessToken = data.access_token;
      return true;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** On start: a refresh cookie from an earlier visit signs the user straight back in. */
export async function restoreSession(): Promise<void> {
  if (await refresh()) await loadMe().catch(() => session.set({ status: 'signedOut' }));
}

export async function signIn(login: string, password: string): Promise<void> {
  const pair = await ok(api.POST('/auth/login', { body: { login, password }, headers: COOKIE_MODE }));
  accessToken = pair.access_token;
  await loadMe();
}

export async function signOut(): Promise<void> {
  await api.POST('/auth/logout', { headers: COOKIE_MODE }).catch(() => undefined);
  accessToken = undefined;
  session.set({ status: 'signedOut' });
}

/** The access token for a Colyseus join (the SDK sends it in the join request). */
export function currentAccessToken(): string | undefined {
  return accessToken;
}

/** Re-reads my profile (after an avatar or nickname change). */
export function reloadMe(): Promise<void> {
  return loadMe();
}

export { ApiError };
