import { defineEntity, p } from '@mikro-orm/core';

/**
 * What an import created, by the record's key in the source system (`klav` user `alice` → user 12), so
 * running the same import again recognises what it already brought in and changes nothing.
 */
const ImportRecordSchema = defineEntity({
  name: 'ImportRecord',
  tableName: 'import_records',
  uniques: [{ properties: ['source', 'kind', 'sourceKey'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    /** The system the record came from, e.g. `klav`. */
    source: p.string().length(32),
    /** `user` or `group`. */
    kind: p.string().length(16),
    /** The record's key there (a Klav username, a Klav room id). */
    sourceKey: p.string().length(200),
    /** The Plaza row it became. */
    targetId: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ImportRecord extends ImportRecordSchema.class {}
ImportRecordSchema.setClass(ImportRecord);
