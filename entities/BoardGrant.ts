import { defineEntity, p } from '@mikro-orm/core';
import { Board } from './Board.ts';
import { User } from './User.ts';

/** What one user may do on one board beyond its access policy; set by admins. */
const BoardGrantSchema = defineEntity({
  name: 'BoardGrant',
  tableName: 'board_grants',
  uniques: [{ properties: ['board', 'user'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    board: () => p.manyToOne(Board).deleteRule('cascade'),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    canRead: p.boolean().default(false),
    canWrite: p.boolean().default(false),
    canComment: p.boolean().default(false),
    canUpload: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class BoardGrant extends BoardGrantSchema.class {}
BoardGrantSchema.setClass(BoardGrant);
