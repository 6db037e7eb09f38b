import { defineEntity, p } from '@mikro-orm/core';
import { User } from './User.ts';

/**
 * One login (a refresh-token family) as its owner sees it in the device list: when it began, when it
 * was last used and from where. The family's tokens live in `refresh_tokens`; this row only describes it.
 */
const LoginSessionSchema = defineEntity({
  name: 'LoginSession',
  tableName: 'login_sessions',
  properties: {
    /** The refresh family id. */
    id: p.uuid().primary(),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    /** The client address of the latest sign-in or refresh. */
    address: p.string().length(64),
    /** The User-Agent of the latest sign-in or refresh, cut to 300 characters. */
    userAgent: p.string().length(300).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().onCreate(() => new Date()),
  },
});

export class LoginSession extends LoginSessionSchema.class {}
LoginSessionSchema.setClass(LoginSession);
