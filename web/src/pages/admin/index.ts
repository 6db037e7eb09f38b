import type { PageEntry } from '../types.ts';

/** Operator and admin pages (SSH control room, admin views, database explorer), gated by `role`. */
export const adminPages: PageEntry[] = [];
