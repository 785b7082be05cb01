import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesUnder } from '../support/identifier-scanner.js';
import { HELPLINE, mailFixture, rawMail, type MailFixture } from './mail-fixture.js';

let fixture: MailFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const ADDRESS = 'Zoe.Vermeulen-Leak@Example-Kind.be';
const LOCAL_PART = ADDRESS.split('@')[0]!;

/** The address and its local part, in the casings and encodings a leak could take. */
function needles(): Array<{ label: string; bytes: Buffer }> {
  const found: Array<{ label: string; bytes: Buffer }> = [];
  for (const [name, text] of [['address', ADDRESS], ['local part', LOCAL_PART]] as const) {
    for (const casing of [text, text.toLowerCase(), text.toUpperCase()]) {
      found.push({ label: `${name} utf-8`, bytes: Buffer.from(casing, 'utf8') });
      found.push({ label: `${name} utf-16le`, bytes: Buffer.from(casing, 'utf16le') });
      found.push({ label: `${name} hex`, bytes: Buffer.from(Buffer.from(casing).toString('hex'), 'ascii') });
      found.push({ label: `${name} base64`, bytes: Buffer.from(Buffer.from(casing).toString('base64').slice(0, -4), 'ascii') });
    }
  }
  return found;
}

/** Where the address shows in `bytes`, compared without regard to case for the plain renderings. */
function sightings(source: string, bytes: Buffer): string[] {
  const lowered = Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1');
  return needles()
    .filter(({ label, bytes: needle }) => (label.includes('base64') ? bytes.includes(needle) : lowered.includes(Buffer.from(needle.toString('latin1').toLowerCase(), 'latin1'))))
    .map(({ label }) => `${source}: ${label}`);
}

describe('a known sender address fed through the mail path', () => {
  it('shows in no log line, no station view or message, and not in the database file or its -wal, in any casing', async () => {
    const f = (fixture = await mailFixture());
    const stationSaw: unknown[] = [];
    f.mailDesk.onThreadChanged((view) => stationSaw.push(view));
    f.desk.desk.onContactChanged((view) => stationSaw.push(view));

    await f.send({ from: `Zoë <${ADDRESS}>`, to: HELPLINE, subject: 'Vraag', text: 'Ik weet niet wat ik moet doen.', messageId: '<eerste@example-kind.be>' });
    await f.send({
      envelope: { from: ADDRESS.toUpperCase(), to: [HELPLINE] },
      raw: rawMail(`From: ${ADDRESS.toUpperCase()}`, `To: ${HELPLINE}`, 'Subject: nog iets', 'Content-Type: text/html', '', '<p>Nog <b>een</b> vraag</p><img src=x onerror=alert(1)>'),
    });
    await f.send({ from: ADDRESS, to: 'niet-hier@lumi.example', subject: 'x', text: 'fout adres' });
    await f.send({ envelope: { from: ADDRESS, to: [HELPLINE] }, raw: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02, 0x80, 0x81]) });
    const reference = f.mailDesk.threads()[0]!.reference;
    stationSaw.push(f.mailDesk.threads(), f.mailDesk.open(reference, 'desk-1'), f.mailDesk.messages(reference, 'desk-1'));
    f.relay.failWith = 550;
    stationSaw.push(await f.mailDesk.answer(reference, 'desk-1', 'Eerste poging.'));
    f.relay.failWith = null;
    stationSaw.push(await f.mailDesk.resend(reference, 'desk-1'));
    stationSaw.push(await f.mailDesk.answer(reference, 'desk-1', 'Tweede antwoord.'));
    const ourId = f.relay.received.at(-1)!.parsed.messageId!;
    await f.send({ from: ADDRESS.toLowerCase(), to: HELPLINE, subject: 'Re: Vraag', text: 'Dank je.', inReplyTo: ourId, references: [ourId] });
    stationSaw.push(f.mailDesk.messages(reference, 'desk-1'), f.desk.desk.openContacts(), f.mailDesk.close(reference, 'desk-1'));
    await f.mailDesk.idle();

    // The path really ran: mails stored, the answers and confirmations reached the relay for this address.
    expect(f.mails.count()).toBeGreaterThanOrEqual(5);
    expect(f.relay.received.filter((mail) => mail.envelopeTo[0] === ADDRESS.toLowerCase()).length).toBeGreaterThanOrEqual(3);
    expect(f.logLines.length).toBeGreaterThan(10);

    const found = [
      ...f.logLines.flatMap((line, index) => sightings(`log line ${index}`, Buffer.from(line))),
      ...stationSaw.flatMap((item, index) => sightings(`station item ${index}`, Buffer.from(JSON.stringify(item)))),
    ];
    const databaseFiles = filesUnder(f.desk.root).filter((file) => /gateway\.db(-wal|-journal)?$/.test(file));
    expect(databaseFiles).toContain('gateway.db');
    expect(existsSync(join(f.desk.root, 'gateway.db-wal'))).toBe(true);
    for (const file of databaseFiles) found.push(...sightings(file, readFileSync(join(f.desk.root, file))));
    expect(found).toEqual([]);
  });

  it('the scan finds the address when it is there (the probe can fail)', () => {
    expect(sightings('probe', Buffer.from(`{"x":"${ADDRESS.toLowerCase()}"}`))).not.toEqual([]);
    expect(sightings('probe', Buffer.from(ADDRESS.toUpperCase(), 'utf16le'))).not.toEqual([]);
    expect(sightings('probe', Buffer.from(`zz${Buffer.from(ADDRESS).toString('base64')}`))).not.toEqual([]);
  });
});
