import { z } from 'zod';

/** Client → server messages of the ssh room. */
export const SshCommandMessage = z.object({
  server_name: z.string().min(1).max(64),
  command: z.string().min(1).max(8192),
  stop_phrase: z.string().min(1).max(256).optional(),
  timeout_ms: z
    .number()
    .int()
    .min(100)
    .max(24 * 3600 * 1000)
    .optional(),
});

export const CancelMessage = z.object({ command_id: z.string().max(64).optional() }).optional();

export const ScpTransferMessage = z.object({ transfer_name: z.string().min(1).max(64) });

export const EmptyMessage = z.object({}).passthrough().optional();

/** A client that missed output (a seq gap, or back after a silent network loss) asks for it again. */
export const OutputSyncMessage = z.object({
  command_id: z.string().max(64).optional(),
  transfer_id: z.string().max(64).optional(),
  after_seq: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
});
