import { ChatDesk, type ChatIntake, type ChatLimits, type Chatter } from '../../src/chat/chat-desk.js';
import type { ChatterFrame } from '../../src/chat/chat-protocol.js';
import { ChatTranscripts } from '../../src/chat/chat-transcripts.js';
import type { SuggestedSpan } from '../../src/contacts/conversation-view.js';
import type { Logger } from '../../src/log/logger.js';
import { silentLogger } from '../../src/log/logger.js';
import { normalizeIpAddress } from '../../src/privacy/normalize.js';
import type { RawIpAddress } from '../../src/privacy/raw-identifier.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';

export const LIMITS: ChatLimits = { maxMessageChars: 200, messagesPerMinute: 5, queueLimit: 3, idleMinutes: 30 };

/** A chatter's page as the desk sees it: every frame kept, and whether the desk hung up. */
export class RecordingChatter implements Chatter {
  readonly frames: ChatterFrame[] = [];
  hungUp = false;
  onDeliver: ((frame: ChatterFrame) => void) | undefined;

  deliver(frame: ChatterFrame): void {
    this.onDeliver?.(frame);
    this.frames.push(frame);
  }

  hangUp(): void {
    this.hungUp = true;
  }

  ofType<T extends ChatterFrame['type']>(type: T): Array<Extract<ChatterFrame, { type: T }>> {
    return this.frames.filter((frame): frame is Extract<ChatterFrame, { type: T }> => frame.type === type);
  }

  get last(): ChatterFrame | undefined {
    return this.frames.at(-1);
  }
}

export interface ChatFixture {
  readonly f: DeskFixture;
  readonly scheduler: ManualScheduler;
  readonly chatDesk: ChatDesk;
  readonly repository: TranscriptsRepository;
  readonly transcripts: ChatTranscripts;
  close(): void;
}

export interface ChatFixtureOptions {
  readonly limits?: Partial<ChatLimits>;
  readonly suggest?: (text: string) => readonly SuggestedSpan[];
  /** Wraps the real contact desk, e.g. to pretend a caller is blocked. */
  readonly intake?: (real: ChatIntake) => ChatIntake;
  readonly logger?: Logger;
}

/** A real contact desk, database, keyring and vault in a temp dir, on a manual clock and scheduler. */
export function chatFixture(start = new Date('2026-05-12T08:00:00Z'), options: ChatFixtureOptions = {}): ChatFixture {
  const f = deskFixture(start, 'Europe/Amsterdam', options.logger ? { logger: options.logger } : {});
  const scheduler = new ManualScheduler(f.clock);
  const repository = new TranscriptsRepository(f.database);
  const transcripts = new ChatTranscripts({ database: f.database, transcripts: repository, vault: f.vault, timeZone: 'Europe/Amsterdam' });
  const chatDesk = new ChatDesk({
    intake: options.intake ? options.intake(f.desk) : f.desk,
    transcripts,
    suggest: options.suggest ?? (() => []),
    clock: f.clock,
    scheduler,
    logger: options.logger ?? silentLogger(),
    timeZone: 'Europe/Amsterdam',
    limits: { ...LIMITS, ...options.limits },
  });
  chatDesk.start();
  return {
    f,
    scheduler,
    chatDesk,
    repository,
    transcripts,
    close() {
      chatDesk.stop();
      f.close();
    },
  };
}

export function ip(text: string): RawIpAddress {
  const address = normalizeIpAddress(text);
  if (!address) throw new Error('test address does not parse');
  return address;
}
