import type { Request, Response } from 'express';

/** One cookie's value from a Cookie header, URI-decoded. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * The browser variant of the token pair. A client that sends `X-Plaza-Refresh: cookie` on sign-in, refresh
 * and sign-out gets its refresh token as an HttpOnly, SameSite=Strict cookie scoped to POST /auth/refresh,
 * and the JSON body leaves it out: page scripts never hold it. Other clients keep the JSON contract.
 *
 * CSRF: the cookie is sent only to /auth/refresh, only from this site (SameSite=Strict), and that route
 * also wants the custom header, which a cross-site form cannot send and a cross-site fetch cannot send
 * without a CORS preflight Plaza does not grant. The access token it answers with is in the body, which
 * another origin cannot read.
 */
export const REFRESH_COOKIE = 'plaza_refresh';
export const REFRESH_COOKIE_PATH = '/auth/refresh';

export function wantsRefreshCookie(req: Request): boolean {
  return req.get('x-plaza-refresh') === 'cookie';
}

export function setRefreshCookie(req: Request, res: Response, token: string, maxAgeSeconds: number): void {
  res.append(
    'Set-Cookie',
    `${REFRESH_COOKIE}=${encodeURIComponent(token)}; Path=${REFRESH_COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${req.secure ? '; Secure' : ''}`,
  );
}

export function clearRefreshCookie(req: Request, res: Response): void {
  res.append(
    'Set-Cookie',
    `${REFRESH_COOKIE}=; Path=${REFRESH_COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=0${req.secure ? '; Secure' : ''}`,
  );
}
