import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient } from '../chat/chat-client.js';
import { CapturingRelay } from '../mail/mail-fixture.js';
import { countAt, type StatsMessage } from '../../src/upstream/stats-message.js';
import { validateOutgoing } from '../../src/upstream/topics.js';
import {
  emailAddressProbe,
  ipAddressProbe,
  scanBytes,
  scanDirectory,
  type AddressProbe,
  type Needle,
  type Sighting,
} from '../support/identifier-scanner.js';
import { CATEGORIES, startWholeBox, type StationClient, type WholeBox } from './whole-box-harness.js';
import { waitFor } from '../support/wait-for.js';

const HELPLINE = 'hulp@helpline.example';
const RELAY_FROM = `Helplijn <${HELPLINE}>`;
const CONFIRMATION_SUBJECT = 'We hebben je mail goed ontvangen';

/** The chatters as the site's proxy reports them; the repeat chatter also carries a spoofed left entry. */
const CHATTERS = [
  { name: 'IPv4 chatter', forwardedFor: '203.0.113.41', priorContacts: 0 },
  { name: 'IPv6 chatter', forwardedFor: '2001:db8:77::41', priorContacts: 0 },
  { name: 'IPv4-mapped chatter', forwardedFor: '::ffff:198.51.100.9', priorContacts: 0 },
  { name: 'IPv4 chatter again', forwardedFor: '192.0.2.1, 203.0.113.41', priorContacts: 1 },
] as const;
const IP_PROBES: AddressProbe[] = [
  ipAddressProbe('IPv4 chatter', '203.0.113.41'),
  ipAddressProbe('IPv6 chatter', '2001:db8:77::41'),
  ipAddressProbe('IPv4-mapped chatter', '::ffff:198.51.100.9'),
  ipAddressProbe('spoofed X-Forwarded-For entry', '192.0.2.1'),
];

const KIND = 'Kind.Anoniem@Example.org';
const TAGGED = 'a.b+tag@mail.example.be';
const MAIL_PROBES: AddressProbe[] = [emailAddressProbe('sender Kind', KIND), emailAddressProbe('sender a.b+tag', TAGGED)];
const PROBES = [...IP_PROBES, ...MAIL_PROBES];

const DETAIL = 'Kerkstraat 12 in Zwolle';
const DETAIL_LINE = `ik woon op de ${DETAIL}`;

/** 10:00 in Amsterdam; nothing below moves the clock until the statistics period is closed. */
const MINUTE_START = Date.parse('2025-06-10T08:00:00Z');
const WRAP_UP = { ageBand: CATEGORIES.ageBands[1] ?? '', topic: CATEGORIES.topics[2] ?? '', outcome: CATEGORIES.outcomes[0] ?? '' };

interface ChatJson { reference: string; state: string; priorContacts: number; callerKnown: boolean }
interface LineJson { id: number; author: string; text: string; redacted: boolean }
interface ThreadJson { reference: string; state: string; priorContacts: number; callerKnown: boolean; subject: string }
interface MessageJson { id: number; direction: string; text: string; delivered: boolean }

function describeSightings(sightings: readonly Sighting[]): string[] {
  return sightings.map((s) => `${s.number} (${s.rendering}) in ${s.source} at byte ${s.offset}`);
}

/** The sealed bytes of a transcript line, whole and in 16-byte pieces, and its plaintext. */
function redactedLineProbe(sealed: Buffer): AddressProbe {
  const needles: Needle[] = [{ label: 'sealed bytes', bytes: sealed }];
  for (let at = 0; at + 16 <= sealed.length; at += 16) needles.push({ label: `sealed bytes ${at}..${at + 16}`, bytes: sealed.subarray(at, at + 16) });
  for (const text of [DETAIL, 'Kerkstraat', 'Zwolle']) {
    needles.push({ label: `"${text}" UTF-8`, bytes: Buffer.from(text, 'utf8') }, { label: `"${text}" UTF-16LE`, bytes: Buffer.from(text, 'utf16le') });
  }
  return { name: 'redacted line', needles, patterns: [] };
}

function json<T>(body: string): T {
  return JSON.parse(body) as T;
}

async function post<T>(station: StationClient, path: string, body?: unknown): Promise<T> {
  const exchange = await station.request('POST', path, body);
  if (exchange.status !== 200) throw new Error(`POST ${path}: ${exchange.status} ${exchange.body}`);
  return json<T>(exchange.body);
}

async function get<T>(station: StationClient, path: string): Promise<T> {
  const exchange = await station.request('GET', path);
  if (exchange.status !== 200) throw new Error(`GET ${path}: ${exchange.status} ${exchange.body}`);
  return json<T>(exchange.body);
}

/** Hands a mail to the box's SMTP listener as the site's mail server would; the SMTP code of a refusal, else 250. */
async function offerMail(port: number, message: SendMailOptions): Promise<number> {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false });
  try {
    await client.sendMail(message);
    return 250;
  } catch (error) {
    return (error as { responseCode?: number }).responseCode ?? 0;
  } finally {
    client.close();
  }
}

async function sendMail(port: number, message: SendMailOptions): Promise<void> {
  expect(await offerMail(port, message), `mail "${String(message.subject)}"`).toBe(250);
}

describe('the address probes', () => {
  it('find every rendering of every IP and e-mail address, in any casing and at any offset, and nothing in random bytes', () => {
    const filler = randomBytes(64 * 1024);
    expect(describeSightings(scanBytes('random', filler, PROBES))).toEqual([]);
    for (const probe of PROBES) {
      const plants = [
        ...probe.needles.map((needle) => ({ label: needle.label, bytes: needle.bytes })),
        ...probe.patterns.map((p) => ({ label: p.label, bytes: p.sample })),
        ...probe.patterns.map((p) => ({ label: `${p.label} upper-cased`, bytes: Buffer.from(p.sample.toString('latin1').toUpperCase(), 'latin1') })),
      ];
      for (const plant of plants) {
        for (const offset of [0, 1, 4097]) {
          const haystack = Buffer.concat([filler.subarray(0, offset), plant.bytes, filler.subarray(offset, offset + 512)]);
          expect(scanBytes('planted', haystack, [probe]).length, `${probe.name}: ${plant.label} at ${offset}`).toBeGreaterThan(0);
        }
      }
    }
    const renderings = (name: string, text: string): Sighting[] => scanBytes(name, Buffer.from(text, 'utf8'), PROBES);
    expect(renderings('full IPv6', '2001:0DB8:0077:0000:0000:0000:0000:0041').map((s) => s.number)).toContain('IPv6 chatter');
    expect(renderings('integer', 'ip=3405803817;').map((s) => s.number)).toContain('IPv4 chatter');
    expect(renderings('padded', '198.051.100.009').map((s) => s.number)).toContain('IPv4-mapped chatter');
    expect(scanBytes('raw', Buffer.from([0, 0xc6, 0x33, 0x64, 0x09, 0]), PROBES).map((s) => s.number)).toContain('IPv4-mapped chatter');
    expect(renderings('local part', 'van KIND.ANONIEM op').map((s) => s.number)).toContain('sender Kind');
    expect(renderings('untagged', 'A.B@Mail.Example.BE').map((s) => s.number)).toContain('sender a.b+tag');
    expect(scanBytes('utf16', Buffer.from(TAGGED.toUpperCase(), 'utf16le'), PROBES).map((s) => s.number)).toContain('sender a.b+tag');
  });
});

describe('chat and mail through the whole box leave no address behind', () => {
  let box: WholeBox | undefined;
  let relay: CapturingRelay | undefined;
  const chatters: ChatClient[] = [];
  afterEach(async () => {
    for (const chatter of chatters.splice(0)) chatter.close();
    await box?.cleanup();
    box = undefined;
    await relay?.stop();
    relay = undefined;
  });

  it('keeps every rendering of four chatters\' IPs and two senders\' addresses out of every file, log, MQTT payload and station byte, and a redacted line out of the database', async () => {
    relay = new CapturingRelay();
    const relayPort = await relay.start();
    box = await startWholeBox({
      start: new Date(MINUTE_START),
      logLevel: 'trace',
      chat: { trustedProxies: ['127.0.0.1'] },
      mail: { recipients: [HELPLINE], relay: { host: '127.0.0.1', port: relayPort, from: RELAY_FROM } },
    });
    const { gateway, station, central, clock, dataDir, logFile } = box;
    const { chatUrl, mailPort } = gateway;
    if (!chatUrl || mailPort === undefined) throw new Error('chat or mail did not start');
    const references: string[] = [];

    // Chat: each chatter queues, a volunteer takes it, they exchange a line each, the volunteer closes it.
    let redactedSealed: Buffer | undefined;
    for (const chatter of CHATTERS) {
      const from = station.frames.length;
      const client = await ChatClient.connect(chatUrl, { 'X-Forwarded-For': chatter.forwardedFor });
      chatters.push(client);
      client.send({ type: 'hello' });
      await client.frame('queued');
      const queued = (await station.frame(from, (f) => f.type === 'chat-changed' && (f.chat as ChatJson).state === 'queued', `${chatter.name} queued`)).chat as ChatJson;
      expect(queued, chatter.name).toMatchObject({ callerKnown: true, priorContacts: chatter.priorContacts });
      references.push(queued.reference);
      const path = `/api/v1/chats/${encodeURIComponent(queued.reference)}`;
      expect((await post<{ chat: ChatJson }>(station, `${path}/accept`)).chat.state).toBe('active');
      await client.frame('connected');

      const first = chatter === CHATTERS[0];
      const said = first ? DETAIL_LINE : `hoi, ik ben de ${chatter.name}`;
      const lineFrom = station.frames.length;
      client.send({ type: 'message', text: said });
      await client.frame('sent');
      await station.frame(lineFrom, (f) => f.type === 'chat-line' && (f.line as LineJson).text === said, `${chatter.name}'s line at the station`);
      await post(station, `${path}/messages`, { text: 'Fijn dat je er bent. Vertel eens?' });
      await client.frame('message');
      const { lines } = await get<{ lines: LineJson[] }>(station, `${path}/lines`);
      expect(lines.map((line) => line.author)).toEqual(['caller', 'volunteer']);

      if (first) {
        const line = lines[0];
        if (!line) throw new Error('no caller line');
        // Read in-process through the gateway's own connection: EXCLUSIVE locking shuts out a second one.
        const row = gateway.database.get<{ sealed_text: Uint8Array }>('SELECT sealed_text FROM transcript_lines WHERE id = ?', [line.id]);
        if (!row) throw new Error('the caller line is not stored');
        redactedSealed = Buffer.from(row.sealed_text);
        const beforeRedaction = scanDirectory(dataDir, [redactedLineProbe(redactedSealed)]);
        expect(beforeRedaction.sightings.filter((s) => s.rendering === 'sealed bytes').map((s) => s.source), 'the sealed line is on disk before the redaction').not.toEqual([]);
        const start = line.text.indexOf(DETAIL);
        const redacted = await post<{ line: LineJson }>(station, `${path}/lines/${line.id}/redact`, { spans: [{ type: 'ADDRESS', start, end: start + DETAIL.length }] });
        expect(redacted.line).toMatchObject({ id: line.id, text: 'ik woon op de [ADDRESS]', redacted: true });
        const afterRedaction = scanDirectory(dataDir, [redactedLineProbe(redactedSealed)]);
        expect(describeSightings(afterRedaction.sightings), 'the redacted line right after the redaction').toEqual([]);
      }

      expect((await post<{ chat: ChatJson }>(station, `${path}/close`)).chat.state).toBe('closed');
      expect(await client.closed).toBe(1000);
      expect(client.frames.some((frame) => frame.type === 'ended')).toBe(true);
    }
    if (!redactedSealed) throw new Error('no line was redacted');

    // Mail: two senders, one HTML-only mail, one with the address in its display name and Reply-To.
    const mailsAt = station.frames.length;
    await sendMail(mailPort, { from: `Kind <${KIND}>`, to: HELPLINE, subject: 'Ik wil iets vragen', text: 'Mag ik jullie iets vragen over thuis?' });
    await sendMail(mailPort, { from: `"${TAGGED}" <${TAGGED}>`, replyTo: TAGGED.toUpperCase(), to: HELPLINE, subject: 'School', text: 'Op school gaat het niet goed.' });
    await sendMail(mailPort, {
      envelope: { from: KIND.toUpperCase(), to: [HELPLINE] },
      from: KIND.toUpperCase(),
      to: HELPLINE,
      subject: 'Nog een vraag',
      html: '<p>Nog <b>een</b> vraag.</p><script>alert(1)</script>',
    });
    expect(await offerMail(mailPort, { from: TAGGED, to: 'iemand-anders@helpline.example', subject: 'Verkeerd', text: 'Niet voor jullie.' })).toBe(550);
    await station.frame(mailsAt, (f) => f.type === 'mail-changed' && (f.thread as ThreadJson).subject === 'Nog een vraag', 'the third mail thread');
    // The confirmations go out after the 250; wait for them before the relay is made to refuse.
    await waitFor(() => (relay?.received.length ?? 0) >= 2, 'the two confirmations at the relay');
    const { threads } = await get<{ threads: ThreadJson[] }>(station, '/api/v1/mails');
    expect(threads.map(({ subject, priorContacts, callerKnown }) => ({ subject, priorContacts, callerKnown }))).toEqual([
      { subject: 'Ik wil iets vragen', priorContacts: 0, callerKnown: true },
      { subject: 'School', priorContacts: 0, callerKnown: true },
      { subject: 'Nog een vraag', priorContacts: 1, callerKnown: true },
    ]);
    const threadPath = (thread: ThreadJson | undefined): string => `/api/v1/mails/${encodeURIComponent(thread?.reference ?? '')}`;
    const [kindThread, taggedThread, htmlThread] = threads;
    const html = await get<{ messages: MessageJson[] }>(station, `${threadPath(htmlThread)}/messages`);
    expect(html.messages[0]?.text).toContain('Nog een vraag.');
    expect(html.messages[0]?.text).not.toContain('<');
    for (const [thread, answer] of [[kindThread, 'Dank je voor je mail. Wat is er thuis?'], [taggedThread, 'Wat vervelend van school.']] as const) {
      expect((await post<{ thread: ThreadJson }>(station, `${threadPath(thread)}/open`)).thread.state).toBe('open');
      expect((await get<{ messages: MessageJson[] }>(station, `${threadPath(thread)}/messages`)).messages).toHaveLength(1);
      if (thread === taggedThread) {
        // A relay refusal names the recipient; the box must keep that text out of its log and its answer.
        relay.failWith = 550;
        const refused = await station.request('POST', `${threadPath(thread)}/answer`, { text: answer });
        relay.failWith = null;
        expect(refused.status).toBe(502);
        expect(json<{ code: string; mail?: MessageJson }>(refused.body)).toMatchObject({ code: 'HGW_MAIL_SEND_FAILED', mail: { delivered: false } });
        expect((await post<{ messages: MessageJson[] }>(station, `${threadPath(thread)}/resend`)).messages.map((m) => m.delivered)).toEqual([true, true]);
      } else {
        expect((await post<{ mail: MessageJson }>(station, `${threadPath(thread)}/answer`, { text: answer })).mail).toMatchObject({ direction: 'out', delivered: true });
      }
    }
    // The sender answers our answer: it joins the first thread, and gets no second confirmation this hour.
    const ourAnswer = relay.received.find((mail) => mail.parsed.subject?.startsWith('Re:') && mail.envelopeTo[0] === KIND.toLowerCase());
    const ourMessageId = ourAnswer?.parsed.messageId;
    if (!ourMessageId) throw new Error('the answer to Kind did not reach the relay');
    const replyAt = station.frames.length;
    await sendMail(mailPort, { from: KIND.toLowerCase(), to: HELPLINE, subject: 'Re: Ik wil iets vragen', text: 'Papa schreeuwt veel.', inReplyTo: ourMessageId, references: [ourMessageId] });
    await station.frame(replyAt, (f) => f.type === 'mail-changed' && (f.thread as ThreadJson).reference === kindThread?.reference, 'the reply joining its thread');
    expect((await get<{ messages: MessageJson[] }>(station, `${threadPath(kindThread)}/messages`)).messages.map((m) => m.direction)).toEqual(['in', 'out', 'in']);
    for (const thread of threads) expect((await post<{ thread: ThreadJson }>(station, `${threadPath(thread)}/close`)).thread.state).toBe('closed');
    references.push(...threads.map((thread) => thread.reference));

    // What went to the relay: one confirmation per sender and one answer each, to the right address.
    await waitFor(() => (relay?.received.length ?? 0) >= 4, 'the confirmations and answers at the relay');
    const sent = relay.received.map((mail) => ({ to: mail.envelopeTo.map((to) => to.toLowerCase()), kind: mail.parsed.subject === CONFIRMATION_SUBJECT ? 'confirmation' : mail.parsed.subject?.startsWith('Re:') ? 'answer' : 'other' }));
    expect(sent).toHaveLength(4);
    for (const address of [KIND.toLowerCase(), TAGGED]) {
      expect(sent.filter((mail) => mail.to.join() === address).map((mail) => mail.kind).sort(), address).toEqual(['answer', 'confirmation']);
    }
    expect(relay.received.find((mail) => mail.envelopeTo[0] === TAGGED && mail.parsed.subject === 'Re: School')?.parsed.text).toContain('Wat vervelend van school.');

    // Statistics: every chat and mail wrapped up, the minute closed, the table published upstream.
    for (const reference of references) expect((await box.wrapUp(reference, WRAP_UP)).status).toBe(200);
    clock.set(MINUTE_START + 60_000 + 1);
    expect(await gateway.upstream.aggregator.closeDuePeriods()).toBe(1);
    await waitFor(() => central.on('stats').length === 1 && gateway.upstream.outbox.count() === 0, 'the stats message delivered');
    const published = central.on('stats')[0];
    const message = validateOutgoing(published?.topic ?? '', JSON.stringify(published?.json)) as StatsMessage;
    // Each channel's registrations are in the table: its total, or suppressed (a null is never a zero).
    for (const [channel, count] of [['chat', CHATTERS.length], ['mail', threads.length]] as const) {
      expect([count, null]).toContain(countAt(message, ['channel'], { channel }));
      const cells = message.cells.filter((_, i) => Math.floor(i / (message.cells.length / 3)) === message.dimensions.channel.indexOf(channel));
      expect(cells.some((cellCount) => cellCount !== 0)).toBe(true);
      expect(cells.reduce<number>((sum, cellCount) => sum + (cellCount ?? 0), 0)).toBeLessThanOrEqual(count);
    }

    // The addresses did arrive and were sealed with their contacts: the scan below is not vacuous.
    const sealedContacts = gateway.database.all<{ channel: string; n: number }>(
      'SELECT channel, count(*) AS n FROM contacts WHERE sealed_identifier IS NOT NULL GROUP BY channel ORDER BY channel',
    );
    expect(sealedContacts).toEqual([{ channel: 'chat', n: CHATTERS.length }, { channel: 'mail', n: threads.length }]);

    const lineProbe = redactedLineProbe(redactedSealed);
    const running = scanDirectory(dataDir, [...PROBES, lineProbe]);
    expect(running.files).toEqual(expect.arrayContaining(['gateway.db', 'gateway.db-wal', 'logs/gateway.log']));
    expect(running.files.some((file) => file.startsWith('keyring/'))).toBe(true);
    expect(describeSightings(running.sightings)).toEqual([]);

    // The control: planted renderings are found by the same walk, so zero hits mean something.
    const planted = join(dataDir, 'keyring', 'control-probe.bin');
    writeFileSync(planted, Buffer.concat([randomBytes(100), Buffer.from('2001:DB8:77::41', 'utf16le'), Buffer.from(`<${TAGGED.toUpperCase()}>`), redactedSealed.subarray(0, 16), randomBytes(100)]));
    const control = scanDirectory(dataDir, [...PROBES, lineProbe]);
    rmSync(planted);
    expect(new Set(control.sightings.map((s) => `${s.number} in ${s.source}`))).toEqual(
      new Set(['IPv6 chatter in keyring/control-probe.bin', 'sender a.b+tag in keyring/control-probe.bin', 'redacted line in keyring/control-probe.bin']),
    );

    await box.stopGateway();
    await waitFor(() => central.on('status').some((message) => message.json.state === 'offline'), 'the offline status');
    const stopped = scanDirectory(dataDir, [...PROBES, lineProbe]);
    expect(stopped.files).toEqual(expect.arrayContaining(['gateway.db', 'logs/gateway.log']));
    expect(describeSightings(stopped.sightings)).toEqual([]);
    expect(existsSync(join(dataDir, 'gateway.db.pid'))).toBe(false);

    // The trace log saw all of it, the relay's sends included: its silence is not emptiness.
    const log = readFileSync(logFile, 'utf8');
    const logged = (msg: string): number => log.split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).length;
    expect({
      queued: logged('chat queued'),
      redacted: logged('chat line redacted'),
      accepted: logged('mail accepted'),
      confirmations: logged('mail confirmation sent'),
      answers: logged('mail answer sent'),
      unsent: logged('mail answer not sent; it stays stored as unsent'),
      relayRefusals: logged('mail relay did not take a mail'),
      refused: logged('mail refused'),
    }).toEqual({ queued: CHATTERS.length, redacted: 1, accepted: 4, confirmations: 2, answers: 2, unsent: 1, relayRefusals: 1, refused: 1 });

    const wire = [
      ...central.messages.map((message, index) => ({ source: `mqtt ${index} ${message.topic}`, bytes: Buffer.concat([Buffer.from(message.topic), message.payload]) })),
      ...station.received.map((text, index) => ({ source: `station ${index}`, bytes: Buffer.from(text, 'utf8') })),
      ...chatters.flatMap((client, c) => client.frames.map((frame, index) => ({ source: `chatter ${c} frame ${index}`, bytes: Buffer.from(JSON.stringify(frame), 'utf8') }))),
    ];
    expect(central.messages.length).toBeGreaterThanOrEqual(3);
    expect(station.frames.length).toBeGreaterThan(30);
    expect(describeSightings(wire.flatMap(({ source, bytes }) => scanBytes(source, bytes, PROBES)))).toEqual([]);

    const wireBytes = wire.reduce((sum, { bytes }) => sum + bytes.length, 0);
    const needleCount = PROBES.reduce((sum, probe) => sum + probe.needles.length + probe.patterns.length, 0);
    console.log(
      [
        `chat/mail leak scan: ${PROBES.length} identifiers (${needleCount} renderings) + the redacted line (${lineProbe.needles.length} needles)`,
        `  data dir while running: ${running.files.length} files, ${running.bytesScanned} bytes (${running.files.join(', ')})`,
        `  data dir after stop: ${stopped.files.length} files, ${stopped.bytesScanned} bytes`,
        `  MQTT payloads: ${central.messages.length}; station frames: ${station.frames.length}, station HTTP bodies: ${station.received.length - station.frames.length}; chatter frames: ${chatters.reduce((sum, c) => sum + c.frames.length, 0)}; ${wireBytes} wire bytes`,
        `  relay took ${relay.received.length} mails (not scanned: the address belongs there); log lines: ${log.split('\n').length - 1}`,
        '  sightings: 0',
      ].join('\n'),
    );
  });
});
