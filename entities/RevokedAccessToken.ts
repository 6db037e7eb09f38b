import { defineEntity, p } from '@mikro-orm/core';

/** Blacklisted access-token ids, kept until the token would have expired anyway. */
const RevokedAccessTokenSchema = defineEntity({
  name: 'RevokedAccessToken',
  tableName: 'revoked_access_tokens',
  properties: {
    jti: p.uuid().primary(),
    userId: p.integer(),
    expiresAt: p.datetime().index(),
  },
});

export class RevokedAccessToken extends RevokedAccessTokenSchema.class {}
RevokedAccessTokenSchema.setClass(RevokedAccessToken);
