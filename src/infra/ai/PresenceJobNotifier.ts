import { matchMaker } from '@colyseus/core';
import type { Logger } from 'pino';
import type { AiJobEvent, JobNotifier } from '../../domain/ai/ports.ts';

/** The Colyseus presence channel where a user's personal events are published (docs/ai.md). */
export const userChannel = (userId: number) => `user:${userId}`;

/**
 * Publishes job events on the presence channel `user:<id>`. The user's `home` room subscribes to it
 * and forwards `ai_job` messages to the client; with the Redis presence this crosses processes.
 */
export class PresenceJobNotifier implements JobNotifier {
  constructor(private readonly logger: Logger) {}

  notify(userId: number, event: AiJobEvent): void {
    const presence = matchMaker.presence;
    if (!presence) return;
    Promise.resolve(presence.publish(userChannel(userId), event)).catch((err) => this.logger.warn({ err, user_id: userId }, 'publishing an AI job event failed'));
  }
}
