import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ErrorCodes } from '../errors/index.ts';
import { PLAZA_VERSION } from '../version.ts';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.number().int().meta({ description: 'Five-digit code from the error catalogue', example: 10001 }),
      message: z.string(),
      detail: z.unknown().optional(),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  return registry;
}

/**
 * The OpenAPI 3 document of every route registered, built from the same zod schemas that validate requests.
 * Its server is relative ('/'): the origin the document was fetched from, whatever host, port or scheme
 * the client used to reach it.
 */
export function buildDocument(registry: OpenAPIRegistry) {
  const codes = Object.values(ErrorCodes)
    .map((e) => `| ${e.code} | ${e.status} | ${e.message} |`)
    .join('\n');
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Plaza REST API',
      version: PLAZA_VERSION,
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      description:
        'Accounts, boards, files, chat history and administration for the Plaza realtime community server. ' +
        'Errors are `{ "error": { "code", "message", "detail"?, "request_id" } }`.\n\n| code | HTTP | meaning |\n|---|---|---|\n' +
        codes,
    },
    servers: [{ url: '/', description: 'This server (the origin this document was fetched from)' }],
  });
  dropUntypedNullable(document);
  return document;
}

/**
 * Any-JSON values (`z.unknown()`: an error's detail, an AI job's result) come out as `{ nullable: true }`.
 * OpenAPI 3.0 gives `nullable` a meaning only beside a `type`, and a schema without a type already
 * admits null, so the flag is dropped there.
 */
function dropUntypedNullable(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(dropUntypedNullable);
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  const typed = ['type', '$ref', 'allOf', 'oneOf', 'anyOf'].some((key) => key in schema);
  if (typeof schema.nullable === 'boolean' && !typed) delete schema.nullable;
  Object.values(schema).forEach(dropUntypedNullable);
}
