import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertAuditEntry } from '../../src/audit/audit-entry.js';
import { policyPresets, type Policy, type PolicyPresetName } from '../../src/config/index.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { createLogger } from '../../src/log/logger.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { normalizeIpAddress } from '../../src/privacy/normalize.js';
import { createVault, type Vault } from '../../src/privacy/vault.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { TranscriptsRepository, type TranscriptAuthor } from '../../src/store/transcripts-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { monthEpochAt } from '../../src/time/month-epoch.js';
import { TranscriptDesk, type TranscriptAudit, type TranscriptAuditEntry } from '../../src/transcripts/index.js';

export const TIME_ZONE = 'Europe/Brussels';
export const CHAT_IP = '203.0.113.7';
export const MINUTE = 60_000;

/**
 * Records the transcript audit entries after the AuditLog's own checks (no identifier in the
 * target or details). AUDIT_ACTIONS does not list the transcript actions yet, so the check runs
 * under a known action; transcript-audit-actions.test.ts says when the real log can take them.
 */
export class RecordingAudit implements TranscriptAudit {
  readonly entries: TranscriptAuditEntry[] = [];

  append(entry: TranscriptAuditEntry): void {
    assertAuditEntry({ ...entry, action: 'export.written' });
    this.entries.push(entry);
  }

  actions(): string[] {
    return this.entries.map((entry) => entry.action);
  }
}

export interface ChatLine {
  readonly author: TranscriptAuthor;
  readonly text: string;
}

export interface StoredChat {
  readonly reference: ContactReference;
  readonly contactId: number;
  readonly lineIds: number[];
}

export interface ChatStore {
  readonly clock: ManualClock;
  readonly database: GatewayDatabase;
  readonly keyring: Keyring;
  readonly vault: Vault;
  readonly contacts: ContactsRepository;
  readonly transcripts: TranscriptsRepository;
}

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
let chatCounter = 0;

function nextReference(): ContactReference {
  chatCounter += 1;
  const digits = [...Array(3)].map((_, i) => ALPHABET[Math.floor(chatCounter / ALPHABET.length ** i) % ALPHABET.length]).join('');
  return `CH${ALPHABET[chatCounter % 7]}-${digits}` as ContactReference;
}

/**
 * A chat as the chat engineers' code stores it: a 'chat' contact with its IP sealed under the
 * chat-ip key of its month, lines sealed under the chat-transcript key of theirs, one minute apart.
 * Ended (one minute after the last line) unless `ended` is false.
 */
export function storeChat(store: ChatStore, lines: readonly ChatLine[], options: { ip?: string | null; ended?: boolean } = {}): StoredChat {
  const { clock, vault, contacts, transcripts, database } = store;
  const openedAt = clock.now();
  const epoch = monthEpochAt(openedAt, TIME_ZONE);
  const ipText = options.ip === undefined ? CHAT_IP : options.ip;
  const ip = ipText === null ? undefined : normalizeIpAddress(ipText);
  const reference = nextReference();
  const contactId = contacts.insert({
    reference,
    channel: 'chat',
    presentation: ip ? 'number' : 'unavailable',
    linkEpoch: null,
    pseudonym: null,
    sealedEpoch: ip ? epoch : null,
    sealedIdentifier: ip ? vault.seal(ip, 'chat-ip', epoch) : null,
    openedAt,
    state: 'live',
  });
  if (contactId === undefined) throw new Error('reference taken');
  const lineIds = lines.map((line) => {
    clock.advance(MINUTE);
    const at = clock.now();
    const sealedEpoch = monthEpochAt(at, TIME_ZONE);
    return database.transaction(() => transcripts.insert({ contactId, author: line.author, writtenAt: at, sealedEpoch, sealedText: vault.sealText(line.text, sealedEpoch) }));
  });
  if (options.ended ?? true) {
    clock.advance(MINUTE);
    contacts.markEnded(contactId, clock.now());
  }
  return { reference, contactId, lineIds };
}

export interface TranscriptFixture extends ChatStore {
  readonly audit: RecordingAudit;
  readonly desk: TranscriptDesk;
  readonly policy: Policy;
  readonly logLines: string[];
  chat(lines: readonly ChatLine[], options?: { ip?: string | null; ended?: boolean }): StoredChat;
  close(): void;
}

export function transcriptFixture(preset: PolicyPresetName, overrides: Partial<Policy> = {}, start = new Date('2026-01-15T10:00:00Z')): TranscriptFixture {
  const root = mkdtempSync(join(tmpdir(), 'hgw-transcripts-'));
  const clock = new ManualClock(start);
  const keyring = Keyring.open({ directory: join(root, 'keyring'), clock });
  const logLines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });
  const database = GatewayDatabase.open({ path: join(root, 'gateway.db'), logger });
  const vault = createVault(keyring);
  const contacts = new ContactsRepository(database);
  const transcripts = new TranscriptsRepository(database);
  const audit = new RecordingAudit();
  const policy = { ...policyPresets[preset], ...overrides };
  const desk = new TranscriptDesk({ database, contacts, transcripts, vault, audit, clock, timeZone: TIME_ZONE, policy, logger });
  const store = { clock, database, keyring, vault, contacts, transcripts };
  return {
    ...store,
    audit,
    desk,
    policy,
    logLines,
    chat: (lines, options) => storeChat(store, lines, options),
    close() {
      database.close();
      keyring.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
