import { z } from 'zod';

/** Largest value of PostgreSQL's `integer`, the type of every numeric id column in Plaza. */
export const MAX_ID = 2_147_483_647;

/**
 * An id in a JSON body or a room message: a positive integer the database can hold. A larger number
 * is a validation error at the edge, never a database failure.
 */
export const idSchema = z.number().int().positive().max(MAX_ID);

/** An id in a path or query string (text coerced to a number), with the same range. */
export const idTextSchema = z.coerce.number().int().positive().max(MAX_ID);
