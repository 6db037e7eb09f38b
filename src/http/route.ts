import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import bytes from 'bytes';
import { z, type ZodObject, type ZodType } from 'zod';
import { AppError, ErrorCodes, type ErrorKey } from '../errors/index.ts';
import type { Principal, TokenService } from '../domain/auth/TokenService.ts';
import { roleAtLeast, type UserRole } from '../../entities/User.ts';
import { ErrorBody } from './openapi.ts';
import { refuseDeepJson } from './middleware/jsonDepth.ts';

/** Who has not signed in sends small JSON (sign-up, sign-in): bigger bodies are read only after authentication. */
export const ANONYMOUS_JSON_LIMIT = 16 * 1024;

/**
 * Who may call a route: anyone, any signed-in user, or a role (admins pass every role check).
 * `anonymous` routes never look at credentials (probes that must not depend on the database).
 */
export type Access = 'anonymous' | 'public' | 'user' | Exclude<UserRole, 'user'>;

type Infer<T> = T extends ZodType ? z.infer<T> : undefined;

export interface RouteSpec<P, Q, B, A extends Access> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, e.g. `/users/:id`. */
  path: string;
  /**
   * The operation's stable name in OpenAPI, verb + noun in camelCase (`listPosts`, `createBoard`): generated
   * clients name their methods after it, so renaming one breaks them. Unique across the API.
   */
  operationId: string;
  summary: string;
  description?: string;
  /** The group the operation is listed under in /docs and /redoc. */
  tag: string;
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads, for the docs (e.g. the browser's `X-Plaza-Refresh`). */
  headers?: ZodObject;
  /** Largest JSON body this route reads, in bytes (default: the app's JSON_BODY_LIMIT); anonymous callers get at most ANONYMOUS_JSON_LIMIT. */
  bodyLimit?: number;
  /** Success status and body schema (none for 204). */
  status?: number;
  response?: ZodType;
  /** Catalogue errors this route can answer with, documented in OpenAPI. */
  errors?: ErrorKey[];
  /** Media type of a non-JSON success body (e.g. a download); documented as binary. */
  produces?: string;
  /** A `multipart/form-data` route (uploads): files arrive in `req.files`. */
  multipart?: MultipartSpec<P, A>;
}

export interface MultipartSpec<P, A extends Access> {
  /** Receives the parts (multer); runs after the access, params and query checks and `precheck`. */
  parser: RequestHandler;
  /** The file fields, for the docs: name → whether it takes several files. */
  files: Record<string, { multiple: boolean; description?: string }>;
  /** Refuses early, before any byte of the body is read (e.g. no permission to upload here). */
  precheck?: (ctx: {
    params: Infer<P>;
    principal: RouteContext<P, unknown, unknown, A>['principal'];
  }) => Promise<unknown>;
}

export interface RouteContext<P, Q, B, A extends Access> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  principal: A extends 'public' | 'anonymous' ? Principal | undefined : Principal;
  req: Request;
  res: Response;
}

/**
 * Declares REST routes once: each declaration validates requests with its zod schemas, checks access,
 * and documents itself in OpenAPI from the very same schemas.
 */
export class Api {
  readonly router = Router();
  private readonly jsonLimit: number;
  private readonly operationIds = new Set<string>();

  constructor(
    private readonly registry: OpenAPIRegistry,
    private readonly tokens: TokenService,
    /** `jsonLimit`: the default largest JSON body, in bytes or as '100kb'. */
    options: { jsonLimit: number | string },
  ) {
    this.jsonLimit = bytes.parse(options.jsonLimit) ?? 100 * 1024;
  }

  route<
    P extends ZodObject | undefined,
    Q extends ZodObject | undefined,
    B extends ZodType | undefined,
    A extends Access,
  >(spec: RouteSpec<P, Q, B, A>, handler: (ctx: RouteContext<P, Q, B, A>) => unknown): void {
    this.document(spec);
    const status = spec.status ?? 200;
    const readJson = spec.body ? jsonReader(spec.bodyLimit ?? this.jsonLimit) : undefined;
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      // Who calls, and may they, before a byte of the body is read: nobody parses big bodies for strangers.
      const principal = await this.authorize(req, spec.access);
      req.principal = principal;
      const params = parsePart('params', spec.params, req.params);
      const query = parsePart('query', spec.query, req.query);
      if (spec.multipart) await receiveMultipart(spec.multipart, { params, principal }, req, res);
      else if (readJson) await readJson(req, res, principal !== undefined);
      const body = parsePart('body', spec.body, req.body);
      const ctx = { params, query, body, principal, req, res } as RouteContext<P, Q, B, A>;
      const result = await handler(ctx);
      if (res.headersSent) return;
      if (status === 204 || result === undefined) res.status(status).end();
      else res.status(status).json(result);
    });
  }

  /** A misnamed or repeated operationId stops the server at start-up, before a client could be generated from it. */
  private claimOperationId(spec: { operationId: string; method: string; path: string }): void {
    if (!OPERATION_ID.test(spec.operationId)) {
      throw new Error(
        `${spec.method.toUpperCase()} ${spec.path}: operationId "${spec.operationId}" is not verbNoun camelCase`,
      );
    }
    if (this.operationIds.has(spec.operationId)) {
      throw new Error(`${spec.method.toUpperCase()} ${spec.path}: operationId "${spec.operationId}" is already taken`);
    }
    this.operationIds.add(spec.operationId);
  }

  private async authorize(req: Request, access: Access): Promise<Principal | undefined> {
    if (access === 'anonymous') return undefined;
    const token = bearerToken(req);
    if (!token) {
      if (access === 'public') return undefined;
      throw new AppError('UNAUTHENTICATED');
    }
    const principal = await this.tokens.authenticate(token);
    if (access !== 'public' && access !== 'user' && !roleAtLeast(principal.role, access)) {
      throw new AppError('FORBIDDEN');
    }
    return principal;
  }

  private document(spec: RouteSpec<unknown, unknown, unknown, Access>): void {
    this.claimOperationId(spec);
    const status = spec.status ?? 200;
    const errorKeys = new Set<ErrorKey>(spec.errors ?? []);
    if (spec.params || spec.query || spec.body) errorKeys.add('VALIDATION_FAILED');
    if (spec.body) errorKeys.add('MALFORMED_JSON').add('PAYLOAD_TOO_LARGE').add('UNSUPPORTED_MEDIA_TYPE');
    // A token is checked wherever one is sent, so a public route answers 401 for a bad one too.
    if (spec.access !== 'anonymous') errorKeys.add('TOKEN_INVALID');
    if (spec.access !== 'public' && spec.access !== 'anonymous') errorKeys.add('UNAUTHENTICATED').add('ACCOUNT_BANNED');
    if (spec.access !== 'public' && spec.access !== 'anonymous' && spec.access !== 'user') errorKeys.add('FORBIDDEN');
    if (spec.multipart) errorKeys.add('UNSUPPORTED_MEDIA_TYPE');
    const responses: RouteConfig['responses'] = {
      [status]: spec.produces
        ? { description: 'Success', content: { [spec.produces]: { schema: { type: 'string', format: 'binary' } } } }
        : spec.response
          ? { description: 'Success', content: { 'application/json': { schema: spec.response } } }
          : { description: 'Success, no content' },
    };
    for (const [httpStatus, keys] of groupByStatus([...errorKeys])) {
      responses[httpStatus] = {
        description: keys.map((k) => `${ErrorCodes[k].code} ${ErrorCodes[k].message}`).join('; '),
        content: { 'application/json': { schema: ErrorBody } },
      };
    }
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      operationId: spec.operationId,
      summary: spec.summary,
      description: spec.description,
      tags: [spec.tag],
      // Public routes take an optional token (a signed-in caller may see more): `{}` says it is optional.
      // Anonymous routes (probes) never look at one: `[]` says so.
      security: spec.access === 'anonymous' ? [] : spec.access === 'public' ? [{}, { bearer: [] }] : [{ bearer: [] }],
      request: {
        params: spec.params as ZodObject | undefined,
        query: spec.query as ZodObject | undefined,
        headers: spec.headers,
        body: spec.multipart
          ? { content: { 'multipart/form-data': { schema: multipartSchema(spec.multipart) } }, required: true }
          : spec.body
            ? { content: { 'application/json': { schema: spec.body as ZodType } }, required: true }
            : undefined,
      },
      responses,
    });
  }
}

/**
 * Reads a route's JSON body: at most `limit` bytes from a signed-in caller, ANONYMOUS_JSON_LIMIT from
 * anyone else, nested at most MAX_JSON_DEPTH deep. A body of another type is 415; malformed JSON 400
 * and an oversized body 413 (body-parser's errors, translated by the error handler).
 */
/** camelCase starting with a lower-case verb: `listPosts`, `logIn`. */
const OPERATION_ID = /^[a-z]+(?:[A-Z][a-z0-9]*)+$/;

function jsonReader(limit: number) {
  const signedIn = express.json({ limit, verify: refuseDeepJson() });
  const anonymous = express.json({ limit: Math.min(limit, ANONYMOUS_JSON_LIMIT), verify: refuseDeepJson() });
  return async (req: Request, res: Response, authenticated: boolean): Promise<void> => {
    if (req.is('application/json') === false) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', { message: 'Send the body as application/json' });
    }
    const parse = authenticated ? signedIn : anonymous;
    await new Promise<void>((resolve, reject) =>
      parse(req, res, (err?: unknown) => (err ? reject(asError(err)) : resolve())),
    );
  };
}

// A spec of any route: its typed parts were checked where the route was declared.
/* eslint-disable @typescript-eslint/no-explicit-any */
async function receiveMultipart(
  spec: MultipartSpec<any, any>,
  ctx: { params: any; principal: any },
  req: Request,
  res: Response,
): Promise<void> {
  if (!req.is('multipart/form-data')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', { message: 'Send the file(s) as multipart/form-data' });
  }
  if (spec.precheck) {
    try {
      await spec.precheck(ctx);
    } catch (err) {
      req.resume(); // drain the refused body so the client reads our answer instead of a reset
      throw err;
    }
  }
  await new Promise<void>((resolve, reject) =>
    spec.parser(req, res, (err?: unknown) => (err ? reject(asError(err)) : resolve())),
  );
}

/** The OpenAPI form of a multipart body: its binary file fields. */
function multipartSchema(spec: MultipartSpec<any, any>) {
  const properties: Record<string, object> = {};
  for (const [name, file] of Object.entries(spec.files)) {
    const binary = { type: 'string', format: 'binary' };
    properties[name] = file.multiple
      ? { type: 'array', items: binary, description: file.description }
      : { ...binary, description: file.description };
  }
  return { type: 'object' as const, properties, required: Object.keys(spec.files) };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function parsePart(part: 'params' | 'query' | 'body', schema: ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  throw new AppError('VALIDATION_FAILED', {
    detail: parsed.error.issues.map((issue) => ({ path: [part, ...issue.path].join('.'), message: issue.message })),
  });
}

function groupByStatus(keys: ErrorKey[]): Map<number, ErrorKey[]> {
  const groups = new Map<number, ErrorKey[]>();
  for (const key of keys) {
    const status = ErrorCodes[key].status;
    groups.set(status, [...(groups.get(status) ?? []), key]);
  }
  return groups;
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError('TOKEN_INVALID', { message: 'Authorization header must be "Bearer <token>"' });
  return match[1];
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** What a middleware passed to `next` as an Error (it may pass anything). */
function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
