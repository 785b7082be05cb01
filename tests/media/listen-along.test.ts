import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { decodeAlaw, decodeG711, decodeUlaw, encodeAlaw, encodeG711, encodeUlaw, PAYLOAD_TYPE, type G711Codec } from '../../src/media/g711.js';
import { ListenAlong } from '../../src/media/listen-along.js';
import { serializeRtpPacket } from '../../src/media/rtp-packet.js';
import { RtpRelay } from '../../src/media/rtp-relay.js';
import { ManualScheduler } from '../../src/time/index.js';
import { FakeRtpEndpoint, randomPortPool } from './rtp-endpoint.js';
import { waitFor } from '../support/wait-for.js';

const TRUNK_SSRC = 0x1111;
const PHONE_SSRC = 0x2222;
const SUPERVISOR_SSRC = 0x3333;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function frame(codec: G711Codec, level: number, ssrc: number, sequenceNumber = 0): Buffer {
  return serializeRtpPacket({ payloadType: PAYLOAD_TYPE[codec], sequenceNumber, timestamp: sequenceNumber * 160, ssrc, payload: encodeG711(codec, new Array(160).fill(level)) });
}

async function call(whisper = false) {
  const scheduler = new ManualScheduler(0);
  const pool = randomPortPool();
  const [trunk, phone, supervisor] = await Promise.all([FakeRtpEndpoint.open(), FakeRtpEndpoint.open(), FakeRtpEndpoint.open()]);
  cleanups.push(async () => {
    await Promise.all([trunk.close(), phone.close(), supervisor.close()]);
  });
  const common = { pool, bindAddress: '127.0.0.1', clock: scheduler.clock, scheduler, logger: silentLogger() };
  const relay = new RtpRelay({ ...common, outside: { codec: 'PCMA', remote: trunk.endpoint }, inside: { codec: 'PCMA', remote: phone.endpoint } });
  await relay.start();
  cleanups.push(() => relay.stop());
  const listen = new ListenAlong({ ...common, relay, whisper, supervisor: { codec: 'PCMU', remote: supervisor.endpoint } });
  await listen.start();
  cleanups.push(() => listen.stop());
  return { scheduler, pool, trunk, phone, supervisor, relay, listen };
}

describe('listen-along', () => {
  it('sends the supervisor both directions summed and clipped, in the supervisor\'s own law and stream', async () => {
    const { scheduler, trunk, phone, supervisor, relay } = await call();
    trunk.send(frame('PCMA', 20000, TRUNK_SSRC), relay.outside.localPort);
    phone.send(frame('PCMA', 6000, PHONE_SSRC), relay.inside.localPort);
    await waitFor(() => relay.outside.counters.packetsIn === 1 && relay.inside.counters.packetsIn === 1);
    // Three frames of jitter buffer, then the frame that holds both.
    scheduler.advance(80);
    await supervisor.waitUntil((received) => received.length === 4);
    const packets = supervisor.received.map((entry) => entry.packet!);
    expect(packets.every((packet) => packet.payloadType === PAYLOAD_TYPE.PCMU)).toBe(true);
    expect(new Set(packets.map((packet) => packet.ssrc)).size).toBe(1);
    expect([TRUNK_SSRC, PHONE_SSRC]).not.toContain(packets[0]!.ssrc);
    expect(packets.slice(0, 3).every((packet) => packet.payload.every((byte) => byte === 0xff))).toBe(true);
    const mixed = decodeG711('PCMU', packets[3]!.payload);
    expect(mixed[0]).toBe(decodeUlaw(encodeUlaw(decodeAlaw(encodeAlaw(20000)) + decodeAlaw(encodeAlaw(6000)))));

    trunk.send(frame('PCMA', 30000, TRUNK_SSRC, 1), relay.outside.localPort);
    phone.send(frame('PCMA', 30000, PHONE_SSRC, 1), relay.inside.localPort);
    await waitFor(() => relay.outside.counters.packetsIn === 2 && relay.inside.counters.packetsIn === 2);
    scheduler.advance(20);
    await supervisor.waitUntil((received) => received.length === 5);
    expect(supervisor.received[4]!.packet!.payload.every((byte) => byte === encodeUlaw(32767))).toBe(true);
  });

  it('is listen-only by default: what the supervisor says reaches neither the caller nor the volunteer', async () => {
    const { scheduler, trunk, phone, supervisor, relay, listen } = await call();
    supervisor.send(frame('PCMU', 9000, SUPERVISOR_SSRC), listen.supervisorLeg.localPort);
    await waitFor(() => listen.supervisorLeg.counters.packetsIn === 1);
    trunk.send(frame('PCMA', 1000, TRUNK_SSRC), relay.outside.localPort);
    phone.send(frame('PCMA', 1000, PHONE_SSRC), relay.inside.localPort);
    await phone.waitUntil((received) => received.length === 1);
    await trunk.waitUntil((received) => received.length === 1);
    scheduler.advance(200);
    await supervisor.waitUntil((received) => received.length === 10);
    expect(phone.received.map((entry) => entry.packet?.ssrc)).toEqual([TRUNK_SSRC]);
    expect(trunk.received.map((entry) => entry.packet?.ssrc)).toEqual([PHONE_SSRC]);
    expect(relay.inside.counters.packetsOut).toBe(1);
    expect(relay.outside.counters.packetsOut).toBe(1);
    expect(listen.counters().whisperFrames).toBe(0);
  });

  it('whispers to the volunteer only: the phone hears caller + supervisor, the trunk never hears the supervisor', async () => {
    const { scheduler, trunk, phone, supervisor, relay, listen } = await call(true);
    supervisor.send(frame('PCMU', 5000, SUPERVISOR_SSRC), listen.supervisorLeg.localPort);
    trunk.send(frame('PCMA', 10000, TRUNK_SSRC), relay.outside.localPort);
    await waitFor(() => listen.supervisorLeg.counters.packetsIn === 1 && relay.outside.counters.packetsIn === 1);
    scheduler.advance(80);
    await phone.waitUntil((received) => received.length === 4);
    const toPhone = phone.received.map((entry) => entry.packet!);
    // The caller's own packet was not forwarded beside the mix: the phone gets one stream.
    expect(toPhone.every((packet) => packet.ssrc === toPhone[0]!.ssrc && packet.ssrc !== TRUNK_SSRC)).toBe(true);
    expect(toPhone.every((packet) => packet.payloadType === PAYLOAD_TYPE.PCMA)).toBe(true);
    const heard = decodeG711('PCMA', toPhone[3]!.payload)[0]!;
    expect(heard).toBe(decodeAlaw(encodeAlaw(decodeAlaw(encodeAlaw(10000)) + decodeUlaw(encodeUlaw(5000)))));
    expect(trunk.received).toHaveLength(0);
    expect(relay.outside.counters.packetsOut).toBe(0);

    listen.setWhisper(false);
    trunk.send(frame('PCMA', 10000, TRUNK_SSRC, 1), relay.outside.localPort);
    await phone.waitUntil((received) => received.some((entry) => entry.packet?.ssrc === TRUNK_SSRC));
  });

  it('gives the call back to plain forwarding and its port back to the pool on stop', async () => {
    const { trunk, phone, relay, listen, pool } = await call(true);
    const supervisorPort = listen.supervisorLeg.localPort;
    await listen.stop();
    expect(pool.isAllocated(supervisorPort)).toBe(false);
    trunk.send(frame('PCMA', 10000, TRUNK_SSRC), relay.outside.localPort);
    await phone.waitUntil((received) => received.some((entry) => entry.packet?.ssrc === TRUNK_SSRC));
  });
});
