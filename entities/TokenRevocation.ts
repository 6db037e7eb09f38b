import { defineEntity, p } from '@mikro-orm/core';
import { USER_ROLES } from './User.ts';

/**
 * One revocation of access tokens, kept while a token it kills could still be unexpired. Either a login
 * ends (`familyId`: every access token of that refresh family dies) or a user's tokens end (`userId` +
 * `tokenVersion`: every token of the user carrying a lower version dies). `role` is set when the cause was
 * a role change, so live connections can be re-checked against the new role instead of closed.
 * Every Plaza process holds the unexpired rows in memory and learns new ones through NOTIFY.
 */
const TokenRevocationSchema = defineEntity({
  name: 'TokenRevocation',
  tableName: 'token_revocations',
  properties: {
    id: p.integer().primary().autoincrement(),
    familyId: p.uuid().nullable(),
    userId: p.integer().nullable(),
    tokenVersion: p.integer().nullable(),
    role: p.enum([...USER_ROLES]).nullable(),
    revokedAt: p
      .datetime()
      .index()
      .onCreate(() => new Date()),
  },
});

export class TokenRevocation extends TokenRevocationSchema.class {}
TokenRevocationSchema.setClass(TokenRevocation);
