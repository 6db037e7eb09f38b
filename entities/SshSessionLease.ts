import { defineEntity, p } from '@mikro-orm/core';

/**
 * The exclusive SSH session as a lease: at most one row per resource, taken and renewed with
 * conditional statements, so it holds across several server processes on one database.
 */
const SshSessionLeaseSchema = defineEntity({
  name: 'SshSessionLease',
  tableName: 'ssh_session_lease',
  properties: {
    resource: p.string().length(32).primary(),
    ownerConnectionId: p.string().length(64),
    ownerUserId: p.integer(),
    ownerUsername: p.string().length(64),
    startedAt: p.datetime(),
    renewedAt: p.datetime(),
    expiresAt: p.datetime().index(),
  },
});

export class SshSessionLease extends SshSessionLeaseSchema.class {}
SshSessionLeaseSchema.setClass(SshSessionLease);
