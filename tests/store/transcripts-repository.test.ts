import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/index.js';
import type { SealedText } from '../../src/privacy/types.js';
import { ContactsRepository } from '../../src/store/contacts-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { TranscriptsRepository } from '../../src/store/transcripts-repository.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';
import { insertedContact } from '../support/inserted-contact.js';

let temp: TempDirectory;
let db: GatewayDatabase;
let contacts: ContactsRepository;
let transcripts: TranscriptsRepository;

const january = asMonthEpoch('2026-01');
const february = asMonthEpoch('2026-02');
const march = asMonthEpoch('2026-03');

function chatContact(reference: string): number {
  return insertedContact(contacts, {
    reference: reference as ContactReference,
    channel: 'chat',
    presentation: 'unknown',
    linkEpoch: null,
    pseudonym: null,
    sealedEpoch: null,
    sealedIdentifier: null,
    openedAt: 1_767_000_000_000,
  });
}

function sealed(byte: number): SealedText {
  return new Uint8Array(48).fill(byte) as SealedText;
}

beforeEach(() => {
  temp = makeTempDirectory();
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
  contacts = new ContactsRepository(db);
  transcripts = new TranscriptsRepository(db);
});

afterEach(() => {
  db.close();
  temp.remove();
});

describe('the transcript store', () => {
  it('keeps the lines of a chat in the order they were written, each with its sealing month', () => {
    const chat = chatContact('chat-a');
    const other = chatContact('chat-b');
    transcripts.insert({ contactId: chat, author: 'caller', writtenAt: 1, sealedEpoch: january, sealedText: sealed(1) });
    transcripts.insert({ contactId: other, author: 'caller', writtenAt: 2, sealedEpoch: january, sealedText: sealed(9) });
    transcripts.insert({ contactId: chat, author: 'volunteer', writtenAt: 3, sealedEpoch: february, sealedText: sealed(2) });
    const lines = transcripts.linesOf(chat);
    expect(lines.map((line) => [line.author, line.sealedEpoch, line.sealedText?.[0]])).toEqual([
      ['caller', january, 1],
      ['volunteer', february, 2],
    ]);
    expect(transcripts.oldestWrittenAt()).toBe(1);
  });

  it('deletes only the lines of months before the given one, and only inside the id range', () => {
    const chat = chatContact('chat-a');
    for (const [index, epoch] of [january, january, february, march, january].entries()) {
      transcripts.insert({ contactId: chat, author: 'caller', writtenAt: index, sealedEpoch: epoch, sealedText: sealed(index) });
    }
    expect(transcripts.deleteEpochsBefore(february, { after: 0, upTo: 2 })).toBe(2);
    expect(transcripts.linesOf(chat).map((line) => line.sealedEpoch)).toEqual([february, march, january]);
    expect(transcripts.deleteEpochsBefore(march, { after: 2, upTo: transcripts.maxId() })).toBe(2);
    expect(transcripts.linesOf(chat).map((line) => line.sealedEpoch)).toEqual([march]);
  });

  it('goes with its contact when the contact is erased', () => {
    const chat = chatContact('chat-a');
    transcripts.insert({ contactId: chat, author: 'caller', writtenAt: 1, sealedEpoch: january, sealedText: sealed(1) });
    db.run('DELETE FROM contacts WHERE id = ?', [chat]);
    expect(transcripts.count()).toBe(0);
  });

  it('refuses a line of an author it does not know', () => {
    const chat = chatContact('chat-a');
    expect(() => db.run("INSERT INTO transcript_lines (contact_id, author, written_at, sealed_epoch) VALUES (?, 'stranger', 1, '2026-01')", [chat])).toThrow(/CHECK/);
  });
});
