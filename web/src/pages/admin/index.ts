import type { PageEntry } from '../types.ts';
import { DatabaseExplorer } from './explorer/DatabaseExplorer.tsx';

/** Operator and admin pages (SSH control room, admin views, database explorer), gated by `role`. */
export const adminPages: PageEntry[] = [
  {
    path: '/console/db',
    component: DatabaseExplorer,
    title: 'Database explorer',
    role: 'admin',
    nav: { label: 'Database', section: 'admin', order: 30 },
  },
];
