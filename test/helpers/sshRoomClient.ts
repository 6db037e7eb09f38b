import { Client, type Room } from '@colyseus/sdk';
import { expect } from 'chai';
import { eventually } from './eventually.ts';

export interface Received {
  type: string;
  payload: any;
}

/** A real SDK client in the ssh room that records every message it receives, in order. */
export class SshRoomClient {
  readonly messages: Received[] = [];

  private constructor(readonly room: Room) {
    room.onMessage('*', (type, payload) => this.messages.push({ type: String(type), payload }));
  }

  static async join(url: string, token: string): Promise<SshRoomClient> {
    const client = new Client(url);
    client.auth.token = token;
    return new SshRoomClient(await client.joinOrCreate('ssh'));
  }

  get sessionId(): string {
    return this.room.sessionId;
  }

  get state(): any {
    return this.room.state;
  }

  send(type: string, payload: unknown = {}): void {
    this.room.send(type, payload);
  }

  of(type: string): any[] {
    return this.messages.filter((m) => m.type === type).map((m) => m.payload);
  }

  /** Waits for the next message of `type` (after `from` messages) that matches. */
  async next(type: string, match: (payload: any) => boolean = () => true, from = 0, timeoutMs = 15_000): Promise<any> {
    let found: any;
    await eventually(
      () => {
        found = this.messages.slice(from).find((m) => m.type === type && match(m.payload))?.payload;
        return found !== undefined;
      },
      `no ${type} message`,
      timeoutMs,
    );
    return found;
  }

  /** Sends and waits for the first `complete` or `error` that answers it. */
  async request(
    type: string,
    payload: unknown,
    ends: string[] = ['complete', 'error'],
  ): Promise<{ end: Received; during: Received[] }> {
    const from = this.messages.length;
    this.send(type, payload);
    let end: Received | undefined;
    await eventually(
      () => (end = this.messages.slice(from).find((m) => ends.includes(m.type))) !== undefined,
      `no answer to ${type}`,
      20_000,
    );
    return { end: end!, during: this.messages.slice(from) };
  }

  /** Sends and expects an `error` with the given catalogue code. */
  async expectError(type: string, payload: unknown, code: number): Promise<any> {
    const { end } = await this.request(type, payload, ['error', 'complete', 'session_started', 'session_ended']);
    expect(end.type, JSON.stringify(end.payload)).to.equal('error');
    expect(end.payload.error_code, JSON.stringify(end.payload)).to.equal(code);
    return end.payload;
  }

  leave(): Promise<number> {
    return this.room.leave(true);
  }

  /** Drops the connection without consent and without the SDK reconnecting (a crashed browser). */
  drop(): void {
    this.room.reconnection.enabled = false;
    this.room.connection.close();
  }
}
