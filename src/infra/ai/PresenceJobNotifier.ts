import type { Logger } from 'pino';
import type { AiJobEvent, JobNotifier } from '../../domain/ai/ports.ts';
import { channels, type RealtimeBus } from '../../domain/realtime/RealtimeBus.ts';

/**
 * Publishes job events to the user's `home` actor (channel `plaza:home:<id>`), which forwards them to
 * every device of the user as `ai_job` messages; with a Redis presence this crosses processes.
 */
export class PresenceJobNotifier implements JobNotifier {
  constructor(
    private readonly bus: RealtimeBus,
    private readonly logger: Logger,
  ) {}

  notify(userId: number, event: AiJobEvent): void {
    try {
      this.bus.publish(channels.home(userId), { kind: 'ai_job', event });
    } catch (err) {
      this.logger.warn({ err, user_id: userId }, 'publishing an AI job event failed');
    }
  }
}
