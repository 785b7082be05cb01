import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatIntake } from '../../src/chat/chat-desk.js';
import { ChatServer } from '../../src/chat/chat-server.js';
import { createLogger } from '../../src/log/logger.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { filesUnder } from '../support/identifier-scanner.js';
import { ChatClient } from './chat-client.js';
import { chatFixture, type ChatFixture } from './chat-fixture.js';

const IPV4 = '203.0.113.77';
const IPV6 = '2001:db8:4d2::77';

interface Needle {
  readonly label: string;
  readonly bytes: Buffer;
}

/** Every way the address could turn up: text (UTF-8 and UTF-16LE), hex, integer, IPv4-mapped, raw bytes. */
function needlesFor(text: string): Needle[] {
  const address = ipaddr.parse(text);
  const bytes = Buffer.from(address.toByteArray());
  const hex = bytes.toString('hex');
  const renderings: Array<[string, string]> = [
    ['canonical', address.toString()],
    ['hex', hex],
    ['HEX', hex.toUpperCase()],
  ];
  if (address instanceof ipaddr.IPv4) {
    renderings.push(
      ['integer', String(bytes.readUInt32BE(0))],
      ['zero-padded', address.octets.map((octet) => String(octet).padStart(3, '0')).join('.')],
      ['mapped hex', `::ffff:${hex.slice(0, 4).replace(/^0+/, '')}:${hex.slice(4).replace(/^0+/, '')}`],
    );
  } else {
    const ipv6 = address as ipaddr.IPv6;
    const full = ipv6.parts.map((part) => part.toString(16).padStart(4, '0')).join(':');
    renderings.push(['full', full], ['normalized', ipv6.toNormalizedString()], ['/64 prefix', '2001:db8:4d2:']);
  }
  const needles: Needle[] = [{ label: 'raw bytes', bytes }];
  for (const [label, value] of renderings) {
    needles.push({ label: `${label} UTF-8`, bytes: Buffer.from(value, 'utf8') }, { label: `${label} UTF-16LE`, bytes: Buffer.from(value, 'utf16le') });
  }
  return needles;
}

const NEEDLES = [...needlesFor(IPV4), ...needlesFor(IPV6)];

function sightings(source: string, bytes: Buffer): string[] {
  return NEEDLES.filter((needle) => bytes.indexOf(needle.bytes) !== -1).map((needle) => `${source}: ${needle.label}`);
}

let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('the chat never lets the address out', () => {
  it('keeps a known IPv4 and IPv6 address out of every station output, every log line and the database file and its -wal', async () => {
    const logLines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    const seenByIntake: Array<string | null> = [];
    const intake = (real: ChatIntake): ChatIntake => ({
      offerContact: (offer) => {
        seenByIntake.push(offer.identifier ? canonicalText(offer.identifier) : null);
        return real.offerContact(offer);
      },
      callAnswered: (key) => real.callAnswered(key),
      endCall: (key, at) => real.endCall(key, at),
      onContactChanged: (listener) => real.onContactChanged(listener),
    });
    const c: ChatFixture = chatFixture(new Date('2026-05-12T08:00:00Z'), {
      intake,
      logger,
      suggest: (text) => (text.includes('Sanne') ? [{ type: 'NAME', start: text.indexOf('Sanne'), end: text.indexOf('Sanne') + 5 }] : []),
    });
    const server = new ChatServer({
      desk: c.chatDesk,
      host: '127.0.0.1',
      port: 0,
      trustedProxies: ['127.0.0.1'],
      maxMessageChars: 200,
      chatsPerMinutePerAddress: 5,
      clock: c.f.clock,
      scheduler: c.scheduler,
      logger,
    });
    cleanup = async () => {
      await server.stop();
      c.close();
    };
    const stationOutputs: unknown[] = [];
    c.chatDesk.onChatChanged((view) => stationOutputs.push(view));
    c.chatDesk.onChatLine((reference, station, line) => stationOutputs.push({ reference, station, line }));
    c.f.desk.onContactChanged((view) => stationOutputs.push(view));
    const { url } = await server.start();

    for (const address of [IPV4, IPV6]) {
      const client = await ChatClient.connect(url, { 'X-Forwarded-For': `192.0.2.1, ${address}` });
      client.send({ type: 'hello' });
      await client.frame('queued');
      const reference = c.chatDesk.chats('desk-1').find((chat) => chat.state === 'queued')?.reference;
      if (!reference) throw new Error('no queued chat');
      stationOutputs.push(c.chatDesk.accept(reference, 'desk-1'));
      await client.frame('connected');
      client.send({ type: 'message', text: 'ik ben Sanne en ik wil praten' });
      await client.frame('sent');
      stationOutputs.push(c.chatDesk.send(reference, 'desk-1', 'hoi, vertel'));
      await client.frame('message');
      const lines = c.chatDesk.lines(reference, 'desk-1');
      stationOutputs.push(lines);
      const firstLine = lines.ok ? lines.value[0] : undefined;
      if (!firstLine) throw new Error('no line');
      stationOutputs.push(c.chatDesk.redact(reference, 'desk-1', firstLine.id, firstLine.suggestions));
      stationOutputs.push(c.chatDesk.chats('desk-1'), c.f.desk.openContacts());
      stationOutputs.push(c.chatDesk.close(reference, 'desk-1'));
      await client.closed;
      stationOutputs.push(c.f.desk.wrapUp(reference, { ageBand: '12-14', topic: 'school', outcome: 'conversation' }, 'desk-1'));
    }
    await server.stop();

    // The address did arrive, and was sealed with its contact: the scan below is not vacuous.
    expect(seenByIntake).toEqual([IPV4, IPV6]);
    const sealed = c.f.database.get<{ n: number }>("SELECT count(*) AS n FROM contacts WHERE channel = 'chat' AND sealed_identifier IS NOT NULL");
    expect(sealed?.n).toBe(2);
    expect(logLines.length).toBeGreaterThan(10);
    expect(stationOutputs.length).toBeGreaterThan(10);

    const found = [
      ...sightings('station outputs', Buffer.from(JSON.stringify(stationOutputs), 'utf8')),
      ...sightings('log', Buffer.from(logLines.join(''), 'utf8')),
    ];
    const files = filesUnder(c.f.root).filter((file) => file.startsWith('gateway.db'));
    expect(files).toContain('gateway.db-wal');
    for (const file of files) found.push(...sightings(file, readFileSync(join(c.f.root, file))));
    expect(found).toEqual([]);
  });
});
