import crypto from 'node:crypto';
import { AppError } from '../../errors/index.ts';
import { USER_ROLES, type UserRole } from '../../../entities/User.ts';

/** Who a link was made for: the viewer FileAccess checks again when the link is used. */
export interface LinkViewer {
  userId: number;
  role: UserRole;
}

export interface SignedLink {
  url: string;
  expires_at: string;
}

/** The query a signed link carries. */
export interface LinkQuery {
  exp: number;
  uid: number;
  role: UserRole;
  sig: string;
}

/**
 * Short-lived download links for `<img src>` and other requests a browser sends without an Authorization
 * header. A link names the file, the viewer who asked and an expiry, signed with HMAC-SHA256 under the
 * server's JWT secret. It grants nothing by itself: the download still runs FileAccess with the named
 * viewer, so it opens exactly what that viewer could open with their token, and only until it expires.
 */
export class SignedFileLinks {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  sign(viewer: LinkViewer, fileId: number): SignedLink {
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const sig = this.mac(fileId, exp, viewer.userId, viewer.role);
    const query = new URLSearchParams({ exp: String(exp), uid: String(viewer.userId), role: viewer.role, sig });
    return { url: `/files/${fileId}?${query.toString()}`, expires_at: new Date(exp * 1000).toISOString() };
  }

  /** The viewer a valid, unexpired link was made for; FILE_NOT_FOUND otherwise (a link reveals nothing). */
  viewerOf(fileId: number, link: LinkQuery): LinkViewer {
    if (!USER_ROLES.includes(link.role)) throw new AppError('FILE_NOT_FOUND', { detail: { reason: 'link invalid' } });
    const expected = Buffer.from(this.mac(fileId, link.exp, link.uid, link.role));
    const given = Buffer.from(link.sig);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
      throw new AppError('FILE_NOT_FOUND', { detail: { reason: 'link signature invalid' } });
    if (link.exp * 1000 <= this.now()) throw new AppError('FILE_NOT_FOUND', { detail: { reason: 'link expired' } });
    return { userId: link.uid, role: link.role };
  }

  private mac(fileId: number, exp: number, userId: number, role: UserRole): string {
    return crypto
      .createHmac('sha256', this.secret)
      .update(`file-link:${fileId}:${exp}:${userId}:${role}`)
      .digest('base64url');
  }
}
