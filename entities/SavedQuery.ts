import { defineEntity, p } from '@mikro-orm/core';
import { User } from './User.ts';

export const CHART_KINDS = ['bar', 'line', 'pie'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** How the database explorer draws a result: which column labels the points and which one sizes them. */
export interface SavedChart {
  kind: ChartKind;
  label_column: string;
  value_column: string;
}

/** A database console statement an admin saved under a name, with the chart they drew of it. Private to its owner. */
const SavedQuerySchema = defineEntity({
  name: 'SavedQuery',
  tableName: 'saved_queries',
  uniques: [{ properties: ['owner', 'name'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    owner: () => p.manyToOne(User).deleteRule('cascade'),
    name: p.string().length(100),
    sql: p.text(),
    chart: p.json<SavedChart>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class SavedQuery extends SavedQuerySchema.class {}
SavedQuerySchema.setClass(SavedQuery);
