import { defineEntity, p } from '@mikro-orm/core';

export const BOARD_ACCESS = ['public', 'restricted', 'readonly'] as const;
/** public: every signed-in user reads and writes; restricted: only granted users; readonly: everyone reads, admins (and granted users) write. */
export type BoardAccessPolicy = (typeof BOARD_ACCESS)[number];

const BoardSchema = defineEntity({
  name: 'Board',
  tableName: 'boards',
  // Names are unique case-insensitively, deleted boards included (a restore never collides).
  uniques: [
    {
      name: 'boards_name_lower_unique',
      expression: 'create unique index "boards_name_lower_unique" on "boards" (lower("name"))',
    },
  ],
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(128),
    description: p.string().length(512).default(''),
    /** Hidden boards exist only for admins: everyone else gets 404. */
    visible: p.boolean().default(true),
    /** Closed boards can still be read but take no new posts, comments, likes or uploads. */
    available: p.boolean().default(true),
    access: p.enum([...BOARD_ACCESS]).default('public'),
    /** Soft delete by an admin: the board and everything on it is gone for everyone else until restored. */
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class Board extends BoardSchema.class {}
BoardSchema.setClass(Board);
