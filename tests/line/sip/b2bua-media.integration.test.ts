import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../../src/contacts/contact-view.js';
import { serializeRtpPacket } from '../../../src/media/index.js';
import { parseSdp, parseSipMessageSafely } from '../../../src/sip/index.js';
import { removeDirectory, startBox, tempDirectory, type Box } from './b2bua-harness.js';
import { NodePhone, NodeTrunk } from './node-phones.js';
import { waitFor } from '../../support/wait-for.js';

let directory: string;

function rtp(ssrc: number): Buffer {
  return serializeRtpPacket({ payloadType: 8, sequenceNumber: 1, timestamp: 160, ssrc, payload: new Uint8Array(160).fill(0xd5) });
}
let box: Box | undefined;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await box?.stop();
  box = undefined;
  for (const close of closers.splice(0)) await close();
  removeDirectory(directory);
});

async function trunkAndDesk(options: { paused?: boolean } = {}): Promise<{ trunk: NodeTrunk; desk: NodePhone }> {
  directory = tempDirectory();
  const desk = await NodePhone.start();
  const trunk = await NodeTrunk.start();
  closers.push(() => desk.stop(), () => trunk.stop());
  box = await startBox(directory, { stations: [{ id: 'desk-1', port: desk.endpoint.localAddress('udp').port }] });
  if (options.paused) box.router.pause('desk-1');
  return { trunk, desk };
}

describe('media and mid-call signalling through the B2BUA', () => {
  it('plays a blocked caller the prompt as RTP on the trunk side, hangs up, and rings no desk phone', async () => {
    const { trunk, desk } = await trunkAndDesk();
    if (!box) throw new Error('no box');
    box.intake.moderation = { kind: 'blocked', until: Date.UTC(2031, 2, 3, 13, 30) };
    const answer = await trunk.call(box.port);
    expect(answer.status).toBe(200);
    await waitFor(() => trunk.byes.length === 1, 'the box hangs up after the prompt');
    const frames = trunk.media.received.filter((entry) => entry.packet?.payloadType === 8);
    expect(frames.length).toBeGreaterThanOrEqual(8);
    expect(frames.every((entry) => entry.from.port === trunk.boxMediaPort(answer))).toBe(true);
    expect(desk.invites).toHaveLength(0);
    expect(box.rings).toEqual([]);
  });

  it('queues when no desk is free: answers, plays the message and hold music, then bridges when a desk answers', async () => {
    const { trunk, desk } = await trunkAndDesk({ paused: true });
    if (!box) throw new Error('no box');
    const answer = await trunk.call(box.port);
    expect(answer.status).toBe(200);
    await waitFor(() => trunk.media.received.length >= 10, 'queue prompt and hold music frames');
    expect(box.line.snapshot().byState.queued).toBe(1);
    box.router.resume('desk-1');
    await waitFor(() => box?.line.snapshot().byState.connected === 1, 'the desk answered');
    // Audio now flows through the relay in both directions.
    const deskSide = desk.boxMediaPort();
    const trunkSide = trunk.boxMediaPort(answer);
    trunk.media.send(rtp(0x1111), trunkSide);
    desk.media.send(rtp(0x2222), deskSide);
    await waitFor(() => desk.media.received.some((entry) => entry.packet?.ssrc === 0x1111), 'caller audio at the desk');
    await waitFor(() => trunk.media.received.some((entry) => entry.packet?.ssrc === 0x2222), 'desk audio at the trunk');
    const bye = await trunk.hangUp();
    expect(bye.status).toBe(200);
    await waitFor(() => desk.byes.length === 1, 'the desk leg is hung up');
    expect(box.intake.ended).toHaveLength(1);
  });

  it('calls a supervisor into a live call listen-only, sends mixed RTP, and hangs the supervisor up with the call', async () => {
    const { trunk, desk } = await trunkAndDesk();
    if (!box) throw new Error('no box');
    const supervisor = await NodePhone.start();
    closers.push(() => supervisor.stop());
    const answer = await trunk.call(box.port);
    expect(answer.status).toBe(200);
    await waitFor(() => box?.line.snapshot().byState.connected === 1, 'connected');
    const reference = box.line.snapshot().calls[0]?.reference as ContactReference;
    const session = await box.line.listenAlong(reference, supervisor.uri);
    const offer = parseSdp(supervisor.invites[0]?.request.body ?? new Uint8Array());
    expect(offer.media[0]?.direction).toBe('sendonly');
    trunk.media.startTone({ port: trunk.boxMediaPort(answer) }, 'PCMA', 440);
    desk.media.startTone({ port: desk.boxMediaPort() }, 'PCMA', 1000);
    await waitFor(() => supervisor.media.received.filter((entry) => entry.packet !== undefined).length >= 10, 'mixed frames at the supervisor');
    trunk.media.stopTone();
    desk.media.stopTone();
    expect(session.whisper).toBe(false);
    await trunk.hangUp();
    await waitFor(() => supervisor.byes.length === 1 && desk.byes.length === 1, 'supervisor and desk hung up');
    await waitFor(() => box?.listenAlong.length === 2, 'audit events');
    expect(box.listenAlong.map((event) => [event.kind, event.reason])).toEqual([['started', undefined], ['stopped', 'call-ended']]);
    expect(box.listenAlong[0]?.stationId).toBe('desk-1');
  });

  it('settles a listen-along whose supervisor phone still rings when the call ends: it is refused, not left hanging', async () => {
    const { trunk } = await trunkAndDesk();
    if (!box) throw new Error('no box');
    const supervisor = await NodePhone.start();
    supervisor.answer = false;
    closers.push(() => supervisor.stop());
    expect((await trunk.call(box.port)).status).toBe(200);
    await waitFor(() => box?.line.snapshot().byState.connected === 1, 'connected');
    const reference = box.line.snapshot().calls[0]?.reference as ContactReference;
    const pending = box.line.listenAlong(reference, supervisor.uri);
    const outcome = pending.then(() => 'started', (error: unknown) => (error instanceof Error ? error.message : String(error)));
    await waitFor(() => supervisor.invites.length === 1, 'the supervisor phone rings');
    await trunk.hangUp();
    expect(await outcome).toMatch(/call ended before the supervisor's phone answered/);
  });

  it('keeps a call up through hostile SIP: garbage, unknown dialogs (481), unknown methods (405/501), a re-INVITE (200)', async () => {
    const { trunk, desk } = await trunkAndDesk();
    if (!box) throw new Error('no box');
    const answer = await trunk.call(box.port);
    expect(answer.status).toBe(200);
    await waitFor(() => box?.line.snapshot().byState.connected === 1, 'connected');

    const attacker = createSocket('udp4');
    const replies: number[] = [];
    attacker.on('message', (datagram) => {
      const parsed = parseSipMessageSafely(datagram);
      if (parsed.ok && parsed.message.kind === 'response') replies.push(parsed.message.status);
    });
    await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => attacker.close(() => resolve())));
    const port = attacker.address().port;
    const request = (method: string, extra: string, index: number): Buffer => Buffer.from(
      `${method} sip:box@127.0.0.1:${box?.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKfuzz${method}${index}\r\n` +
      `From: <sip:x@127.0.0.1>;tag=a${index}\r\nTo: <sip:box@127.0.0.1>${extra}\r\nCall-ID: fuzz-${index}\r\nCSeq: 1 ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
    );
    const hostile: Buffer[] = [];
    for (let index = 0; index < 300; index++) {
      hostile.push(Buffer.from(Array.from({ length: 1 + (index * 37) % 900 }, (_, at) => (at * 131 + index * 7) & 0xff)));
      hostile.push(Buffer.from(`INVITE sip:x SIP/2.0\r\nVia: nonsense\r\nContent-Length: 99999\r\n\r\n${'A'.repeat(index)}`));
    }
    hostile.push(Buffer.alloc(20_000, 0x41));
    for (const datagram of hostile) attacker.send(datagram, box.port, '127.0.0.1');
    await waitFor(() => (box?.line.counters().sipMalformed ?? 0) > 100, 'the garbage to be read and counted');
    // After the burst (a loopback socket buffer drops what it cannot hold), requests that deserve an answer.
    for (const datagram of [request('BYE', ';tag=nosuchdialog', 1), request('INFO', ';tag=nosuchdialog', 2), request('FOO', '', 3), request('SUBSCRIBE', '', 4)]) {
      attacker.send(datagram, box.port, '127.0.0.1');
    }
    await waitFor(() => replies.filter((status) => status !== 400 && status !== 503).length >= 4, 'answers to the well-formed requests');
    expect(replies.filter((status) => status !== 400 && status !== 503).sort()).toEqual([405, 481, 481, 501]);

    // The trunk re-INVITEs (session refresh): the box answers with its own SDP, same port.
    const dialog = trunk.dialog;
    if (!dialog) throw new Error('no dialog');
    const reinvite = dialog.createRequest('INVITE', {
      contact: { uri: trunk.endpoint.contactUri('udp'), params: [] },
      body: `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${trunk.media.port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`,
      contentType: 'application/sdp',
    });
    const refreshed = await trunk.endpoint.request(reinvite, dialog.destination()).final;
    expect(refreshed.status).toBe(200);
    await trunk.endpoint.sendAck(dialog.createAck(dialog.localSequence), dialog.destination());
    expect(trunk.boxMediaPort(refreshed)).toBe(trunk.boxMediaPort(answer));
    expect(box.line.snapshot().byState.connected).toBe(1);
    expect(box.line.counters().sipMalformed).toBeGreaterThan(0);

    const bye = await trunk.hangUp();
    expect(bye.status).toBe(200);
    await waitFor(() => desk.byes.length === 1, 'desk hung up');
    expect(box.line.snapshot().calls).toHaveLength(0);
  });
});
