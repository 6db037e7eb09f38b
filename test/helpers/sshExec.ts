import type { CommandRequest, OutputStream, SshGateway } from '../../src/domain/ssh/ports.ts';

/** Runs `command` on `server` through `gateway`, collecting its output as it streams, per stream. */
export async function execCollecting(
  gateway: SshGateway,
  server: string,
  command: string,
  extra: Partial<CommandRequest> & { timeoutMs: number },
) {
  const chunks: { stream: OutputStream; text: string }[] = [];
  const onOutput = extra.onOutput;
  const result = await gateway.exec({
    server,
    command,
    outputCap: 1024 * 1024,
    signal: new AbortController().signal,
    ...extra,
    onOutput: (stream, chunk) => {
      chunks.push({ stream, text: chunk.toString() });
      onOutput?.(stream, chunk);
    },
  });
  const text = (stream: OutputStream) =>
    chunks
      .filter((c) => c.stream === stream)
      .map((c) => c.text)
      .join('');
  return { result, chunks, stdout: text('stdout'), stderr: text('stderr') };
}
