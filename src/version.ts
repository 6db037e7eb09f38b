import { createRequire } from 'node:module';

/** The version in package.json, reported by GET / and the OpenAPI document. */
export const PLAZA_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
