import { defineEntity, p } from '@mikro-orm/core';
import { User } from './User.ts';

/**
 * One refresh token of a login "family". Rotation spends the old token and issues a new one in the
 * same family; presenting a spent token again revokes the whole family.
 */
const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    familyId: p.uuid().index(),
    /** sha256 of the opaque token; the token itself is never stored. */
    tokenHash: p.string().length(64).unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);
