import { defineEntity, p } from '@mikro-orm/core';
import { User } from './User.ts';

export const EMAIL_TOKEN_PURPOSES = ['verify', 'change'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

/**
 * A single-use token mailed to an address to prove its owner reads it: `verify` confirms the account's
 * own address, `change` moves the account to `email` once confirmed from there.
 */
const EmailTokenSchema = defineEntity({
  name: 'EmailToken',
  tableName: 'email_tokens',
  properties: {
    id: p.uuid().primary(),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    purpose: p.enum([...EMAIL_TOKEN_PURPOSES]),
    /** The address the token was sent to (for `change`, the new address). */
    email: p.string().length(254),
    /** sha256 of the token; the token itself is never stored. */
    tokenHash: p.string().length(64).unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class EmailToken extends EmailTokenSchema.class {}
EmailTokenSchema.setClass(EmailToken);
