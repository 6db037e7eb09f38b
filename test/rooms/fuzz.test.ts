import { expect } from 'chai';
import { z } from 'zod';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import {
  FUZZ_SEED,
  hostileValues,
  pick,
  SchemaSampler,
  seededRng,
  toJsonText,
  type Rng,
  type SchemaNode,
} from '../helpers/fuzz.ts';
import { ChatMessages } from '../../rooms/chat/messages.ts';
import { HomeMessages } from '../../rooms/home/messages.ts';

/** Mutated payloads per message type. */
const PAYLOADS_PER_TYPE = 25;
/** Well under WS_MAX_PAYLOAD: the transport's own cap is not what this suite is about. */
const BIG = 12_000;

/** Refusals a malformed payload may get: invalid, too large, unknown type. */
const VALIDATION_CODES = [30008, 30009, 30013];

/**
 * Payloads for every message type of a room: each mutated until the room's own schema refuses it (a
 * mutation that happens to be valid is not sent: this suite is about what must be refused), plus
 * non-object payloads and unknown types.
 */
function invalidPayloads(messages: Record<string, z.ZodType>, rng: Rng): { type: string; payload: unknown }[] {
  const out: { type: string; payload: unknown }[] = [];
  for (const [type, schema] of Object.entries(messages)) {
    const sampler = new SchemaSampler(rng);
    const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaNode;
    for (let i = 0; i < PAYLOADS_PER_TYPE; i++) {
      const text = toJsonText(sampler.mutate(sampler.sample(jsonSchema), BIG));
      const payload: unknown = JSON.parse(text);
      // The room reads an absent payload as {} (see PlazaRoom.on).
      if (!schema.safeParse(payload ?? {}).success) out.push({ type, payload });
    }
  }
  for (const payload of hostileValues(BIG).slice(0, 10)) {
    out.push({ type: pick(rng, ['nope', '__proto__', 'constructor', 'x'.repeat(120), '']), payload });
  }
  return out;
}

/**
 * A regression net under every room message: hostile payloads get one `error` each with a catalogue
 * code, the sender's connection stays open, and nobody else in the room is touched.
 */
describe('room message fuzz (seeded; FUZZ_SEED reproduces a run)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let alice: Session, bob: Session;
  let groupId: number;
  const rooms: Room[] = [];

  before(async () => {
    server = await startTestServer({ CHAT_RATE_PER_SECOND: '1000', ROOM_MAX_MESSAGES_PER_SECOND: '5000' });
    alice = await server.http.signUp('alice');
    bob = await server.http.signUp('bob');
    const group = await server.http.post('/chat/groups', { name: 'fuzz' }, alice.access_token);
    groupId = group.body.id;
    await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: bob.id }, alice.access_token);
  });

  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });

  after(() => server?.close());

  async function join(session: Session, name: 'chat' | 'home'): Promise<Room> {
    const room = await sdkClient(server, session).joinOrCreate(name, name === 'chat' ? { groupId } : {});
    room.onMessage('*', () => undefined); // only what a test reads with an Inbox matters here
    rooms.push(room);
    return room;
  }

  async function fuzzRoom(name: 'chat' | 'home', messages: Record<string, z.ZodType>, seed: number) {
    const [mallory, bystander] = [await join(alice, name), await join(bob, name)];
    const errors = new Inbox(mallory, 'error');
    const bystanderErrors = new Inbox(bystander, 'error');
    const payloads = invalidPayloads(messages, seededRng(seed));
    expect(payloads.length, 'most mutations are invalid').to.be.greaterThan(Object.keys(messages).length * 10);
    for (const { type, payload } of payloads) mallory.send(type, payload);

    await errors.next(() => errors.items.length >= payloads.length, 20_000).catch(() => undefined);
    const described = (i: number) => `seed ${seed}: ${payloads[i].type} ${JSON.stringify(payloads[i].payload)}`;
    expect(errors.items.length, `one error per refused payload (seed ${seed})`).to.equal(payloads.length);
    errors.items.forEach((error, i) => {
      expect(error.error_code, described(i)).to.be.oneOf(VALIDATION_CODES);
      expect(error.message, described(i)).to.be.a('string').and.not.empty;
    });
    expect(mallory.connection.isOpen, 'the sender is still connected').to.equal(true);
    expect(bystanderErrors.items, 'the bystander got no error').to.deep.equal([]);
    return { mallory, bystander };
  }

  it('when every chat message type gets hostile payloads, then each gets an error and the room keeps working for everyone', async () => {
    const { mallory, bystander } = await fuzzRoom('chat', ChatMessages, FUZZ_SEED);
    const delivered = new Inbox(bystander, 'message');
    mallory.send('msg', { text: 'still here' });
    const message = await delivered.next((m) => m.text === 'still here');
    expect(message.kind).to.equal('msg');
  });

  it('when every home message type gets hostile payloads, then each gets an error and the room keeps working for everyone', async () => {
    const { mallory, bystander } = await fuzzRoom('home', HomeMessages, FUZZ_SEED + 1);
    const delivered = new Inbox(bystander, 'dm');
    mallory.send('dm', { to: bob.id, text: 'still here' });
    const dm = await delivered.next((m) => m.text === 'still here');
    expect(dm.from_user_id).to.equal(alice.id);
  });
});
