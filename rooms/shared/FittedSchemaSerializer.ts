import { SchemaSerializer } from '@colyseus/core';
import type { Schema } from '@colyseus/schema';

/**
 * Each state class's handshake (its schema reflection), encoded once per process: it depends only on the
 * class and the types it reaches (one cached TypeContext per root class), so every room of a class sends
 * the same bytes. Kept with the number of types it was encoded with, in case the context learns more.
 */
const handshakes = new WeakMap<object, { types: number; bytes: Uint8Array }>();

/**
 * Colyseus' schema serializer with three fixes to what a join costs:
 *
 * - Its full-state buffer keeps the size it grew to. Colyseus encodes a joiner's full state into a
 *   buffer of `Encoder.BUFFER_SIZE` (16 KB); a larger state (a chat group of ~500 members) overflows
 *   it, and the grown buffer was dropped each time: every join after a change encoded twice, allocated
 *   a new buffer and logged "buffer overflow".
 * - Its buffers start at `initialBytes`: a room whose state is small (a home: one per signed-in user)
 *   does not hold 2 × 16 KB for it. A state that outgrows them grows them once, as above.
 * - Its handshake is encoded once per state class, not once per room (a home per signed-in user each
 *   encoded the same reflection for its first join).
 */
export class FittedSchemaSerializer<T extends Schema = Schema> extends SchemaSerializer<T> {
  constructor(private readonly initialBytes?: number) {
    super();
    if (initialBytes) this.fullEncodeBuffer = new Uint8Array(initialBytes);
  }

  override reset(state: T): void {
    super.reset(state);
    if (this.initialBytes) this.encoder.sharedBuffer = new Uint8Array(this.initialBytes);
  }

  override handshake(): Uint8Array {
    if (this.handshakeCache || !this.encoder.state) return super.handshake();
    const types = this.encoder.context.schemas.size;
    const cached = handshakes.get(this.encoder.state.constructor);
    if (cached?.types === types) return (this.handshakeCache = cached.bytes);
    const bytes = super.handshake();
    handshakes.set(this.encoder.state.constructor, { types, bytes });
    return bytes;
  }

  override getFullState(...args: Parameters<SchemaSerializer<T>['getFullState']>) {
    const body = super.getFullState(...args);
    const encoded = this.fullEncodeCache;
    // The encoder grew into a new buffer: keep it (its first byte is already the state's protocol byte).
    if (encoded && encoded.buffer !== this.fullEncodeBuffer.buffer)
      this.fullEncodeBuffer = new Uint8Array(encoded.buffer);
    return body;
  }
}
