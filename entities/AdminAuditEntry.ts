import { defineEntity, p } from '@mikro-orm/core';

/** Append-only record of administrative actions: who did what to whom, when and why. */
const AdminAuditEntrySchema = defineEntity({
  name: 'AdminAuditEntry',
  tableName: 'admin_audit_log',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** null when the action came from the server CLI rather than a signed-in admin. */
    actorId: p.integer().nullable().index(),
    actorName: p.string().length(64),
    action: p.string().length(64).index(),
    targetType: p.string().length(32),
    targetId: p.string().length(64),
    reason: p.string().length(500).nullable(),
    detail: p.json<Record<string, unknown>>().nullable(),
    createdAt: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
  },
});

export class AdminAuditEntry extends AdminAuditEntrySchema.class {}
AdminAuditEntrySchema.setClass(AdminAuditEntry);
