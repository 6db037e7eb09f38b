import { expect } from 'chai';

export interface HttpResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Session {
  id: number;
  username: string;
  access_token: string;
  refresh_token: string;
}

/** A thin real-HTTP client for tests: JSON in, JSON out, optional bearer token. */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string | FormData; token?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    } else if (options.raw !== undefined) {
      body = options.raw;
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, token?: string) {
    return this.request<T>('GET', path, { token });
  }
  post<T = any>(path: string, body?: unknown, token?: string) {
    return this.request<T>('POST', path, { body, token });
  }
  patch<T = any>(path: string, body?: unknown, token?: string) {
    return this.request<T>('PATCH', path, { body, token });
  }
  put<T = any>(path: string, body?: unknown, token?: string) {
    return this.request<T>('PUT', path, { body, token });
  }
  delete<T = any>(path: string, token?: string) {
    return this.request<T>('DELETE', path, { token });
  }

  /** Registers `username` (password `<username>-password`) and signs in. */
  async signUp(username: string, extra: { nickname?: string } = {}): Promise<Session> {
    const password = `${username}-password`;
    const reg = await this.post('/auth/register', { username, email: `${username}@example.test`, password, ...extra });
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
    return { id: reg.body.id, username, ...(await this.signIn(username, password)) };
  }

  async signIn(login: string, password = `${login}-password`) {
    const res = await this.post('/auth/login', { login, password });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return { access_token: res.body.access_token as string, refresh_token: res.body.refresh_token as string };
  }
}

/** Asserts a REST error response: status and catalogue code. */
export function expectError(res: HttpResponse, status: number, code: number): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body?.error?.code, JSON.stringify(res.body)).to.equal(code);
  expect(res.body.error.request_id).to.be.a('string').and.not.empty;
}
