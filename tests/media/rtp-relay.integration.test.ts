/**
 * The media plane over real UDP on loopback with real timers: fake trunk, desk phone and
 * supervisor endpoints talk RTP through a relay the way phones would.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { decodeG711, encodeG711, type G711Codec } from '../../src/media/g711.js';
import { ListenAlong } from '../../src/media/listen-along.js';
import { PromptLibrary } from '../../src/media/prompt-library.js';
import { PromptPlayer } from '../../src/media/prompt-player.js';
import { serializeRtpPacket } from '../../src/media/rtp-packet.js';
import { RtpRelay, type RtpRelayOptions } from '../../src/media/rtp-relay.js';
import { timerScheduler, type Clock } from '../../src/time/index.js';
import { FakeRtpEndpoint, randomPortPool, tonePower } from './rtp-endpoint.js';
import { waitFor } from '../support/wait-for.js';

const wallClock: Clock = { now: () => Date.now() };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function endpoint(address = '127.0.0.1'): Promise<FakeRtpEndpoint> {
  const fake = await FakeRtpEndpoint.open(address);
  cleanups.push(() => fake.close());
  return fake;
}

async function relayBetween(trunk: FakeRtpEndpoint, phone: FakeRtpEndpoint, codecs: [G711Codec, G711Codec] = ['PCMA', 'PCMA'], extra: Partial<RtpRelayOptions> = {}): Promise<RtpRelay> {
  const relay = new RtpRelay({
    pool: randomPortPool(),
    bindAddress: '127.0.0.1',
    outside: { codec: codecs[0], remote: trunk.endpoint },
    inside: { codec: codecs[1], remote: phone.endpoint },
    clock: wallClock,
    scheduler: timerScheduler,
    logger: silentLogger(),
    ...extra,
  });
  await relay.start();
  cleanups.push(() => relay.stop());
  return relay;
}

/** Decoded audio after the first `skip` samples (jitter buffer fill, start-up). */
function steady(samples: Int16Array, skip = 1600): Int16Array {
  return samples.subarray(Math.min(skip, samples.length));
}

describe('RTP relay over loopback', () => {
  it('relays both ways, and each side only ever sees the box\'s address and port', async () => {
    const trunk = await endpoint();
    const phone = await endpoint();
    const relay = await relayBetween(trunk, phone);
    trunk.startTone({ port: relay.outside.localPort }, 'PCMA', 500, 8000, 0xaaaa);
    phone.startTone({ port: relay.inside.localPort }, 'PCMA', 1300, 8000, 0xbbbb);
    await phone.waitUntil((received) => received.length >= 25);
    await trunk.waitUntil((received) => received.length >= 25);
    trunk.stopTone();
    phone.stopTone();

    expect(phone.received.every((entry) => entry.from.address === '127.0.0.1' && entry.from.port === relay.inside.localPort)).toBe(true);
    expect(trunk.received.every((entry) => entry.from.address === '127.0.0.1' && entry.from.port === relay.outside.localPort)).toBe(true);
    expect(phone.received.every((entry) => entry.packet?.ssrc === 0xaaaa)).toBe(true);
    expect(trunk.received.every((entry) => entry.packet?.ssrc === 0xbbbb)).toBe(true);
    const counters = relay.counters();
    expect(counters.outside.packetsIn).toBeGreaterThanOrEqual(25);
    expect(counters.inside.packetsOut).toBe(counters.outside.packetsIn);
    expect(counters.outside.malformed + counters.inside.malformed + counters.outside.dropped + counters.inside.dropped).toBe(0);
  });

  it('rewrites the payload when the legs negotiated different laws', async () => {
    const trunk = await endpoint();
    const phone = await endpoint();
    const relay = await relayBetween(trunk, phone, ['PCMA', 'PCMU']);
    trunk.startTone({ port: relay.outside.localPort }, 'PCMA', 700);
    await phone.waitUntil((received) => received.length >= 20);
    trunk.stopTone();
    expect(phone.received.every((entry) => entry.packet?.payloadType === 0)).toBe(true);
    const heard = phone.audio();
    expect(tonePower(heard, 700)).toBeGreaterThan(100 * tonePower(heard, 1900));
  });

  it('latches to where the phone\'s packets come from (NAT), not to strangers on other hosts', async () => {
    const trunk = await endpoint();
    const sdpAddress = await endpoint();
    const natted = await endpoint();
    const stranger = await endpoint('127.0.0.2');
    const relay = await relayBetween(trunk, sdpAddress);
    trunk.startTone({ port: relay.outside.localPort }, 'PCMA', 500);
    // Until the phone sends, the box sends where its SDP said.
    await sdpAddress.waitUntil((received) => received.length >= 3);

    stranger.startTone({ port: relay.inside.localPort }, 'PCMA', 3000, 8000, 0x5555);
    await waitFor(() => relay.inside.counters.dropped >= 3);
    expect(relay.inside.latched).toBe(false);

    natted.startTone({ port: relay.inside.localPort }, 'PCMA', 1000, 8000, 0x6666);
    await natted.waitUntil((received) => received.length >= 10);
    const sentToSdpAddress = sdpAddress.received.length;
    await trunk.waitUntil((received) => received.length >= 10);
    trunk.stopTone();
    natted.stopTone();
    stranger.stopTone();

    expect(relay.inside.remote).toEqual({ address: '127.0.0.1', port: natted.port });
    expect(sdpAddress.received.length).toBeLessThanOrEqual(sentToSdpAddress + 1);
    expect(stranger.received).toHaveLength(0);
    expect(trunk.received.every((entry) => entry.packet?.ssrc === 0x6666)).toBe(true);
  });

  it('keeps a call going while garbage is thrown at both ports, counting it', async () => {
    const trunk = await endpoint();
    const phone = await endpoint();
    const attacker = await endpoint();
    const relay = await relayBetween(trunk, phone);
    trunk.startTone({ port: relay.outside.localPort }, 'PCMA', 500, 8000, 0xaaaa);
    phone.startTone({ port: relay.inside.localPort }, 'PCMA', 1300, 8000, 0xbbbb);
    await phone.waitUntil((received) => received.length >= 5);

    const garbage = [
      Buffer.alloc(0),
      Buffer.from('INVITE sip:x SIP/2.0\r\n\r\n'),
      Buffer.from('40000000000000000000000000', 'hex'),
      Buffer.from('8f0800010000000000000001', 'hex'),
      Buffer.from('a00800010000000000000001ff', 'hex'),
      Buffer.alloc(1400, 0xff),
    ];
    for (let round = 0; round < 300; round++) {
      for (const datagram of [...garbage, randomBytes(1 + (round % 200))]) {
        attacker.send(datagram, relay.outside.localPort);
        attacker.send(datagram, relay.inside.localPort);
      }
      // Garbage from the latched source itself: still not RTP, still not forwarded.
      trunk.send(garbage[1]!, relay.outside.localPort);
      // Small bursts: loopback drops what overflows a socket buffer before the box ever sees it.
      if (round % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const before = phone.received.length;
    await phone.waitUntil((received) => received.length >= before + 25);
    trunk.stopTone();
    phone.stopTone();

    const counters = relay.counters();
    expect(counters.outside.malformed).toBeGreaterThan(300);
    expect(counters.outside.malformed + counters.outside.dropped).toBeGreaterThan(1000);
    expect(phone.received.every((entry) => entry.packet?.ssrc === 0xaaaa)).toBe(true);
    expect(trunk.received.every((entry) => entry.packet?.ssrc === 0xbbbb)).toBe(true);
    expect(tonePower(phone.audio(), 500)).toBeGreaterThan(100 * tonePower(phone.audio(), 2500));
  });
});

describe('listen-along over loopback', () => {
  it('mixes both directions for the supervisor, and whispers to the volunteer only', async () => {
    const trunk = await endpoint();
    const phone = await endpoint();
    const supervisor = await endpoint();
    const pool = randomPortPool();
    const relay = await relayBetween(trunk, phone, ['PCMA', 'PCMA'], { pool });
    const listen = new ListenAlong({ relay, pool, bindAddress: '127.0.0.1', supervisor: { codec: 'PCMU', remote: supervisor.endpoint }, clock: wallClock, scheduler: timerScheduler, logger: silentLogger() });
    await listen.start();
    cleanups.push(() => listen.stop());

    trunk.startTone({ port: relay.outside.localPort }, 'PCMA', 500, 8000, 0xaaaa);
    phone.startTone({ port: relay.inside.localPort }, 'PCMA', 1300, 8000, 0xbbbb);
    await supervisor.waitUntil((received) => received.length >= 60);
    const mixed = steady(supervisor.audio());
    const floor = tonePower(mixed, 900) + tonePower(mixed, 2100);
    expect(tonePower(mixed, 500)).toBeGreaterThan(50 * floor);
    expect(tonePower(mixed, 1300)).toBeGreaterThan(50 * floor);
    expect(supervisor.received.every((entry) => entry.from.port === listen.supervisorLeg.localPort && entry.packet?.payloadType === 0)).toBe(true);

    listen.setWhisper(true);
    supervisor.startTone({ port: listen.supervisorLeg.localPort }, 'PCMU', 2100, 8000, 0xcccc);
    const phoneBefore = phone.received.length;
    const trunkBefore = trunk.received.length;
    await phone.waitUntil((received) => received.length >= phoneBefore + 60);
    await trunk.waitUntil((received) => received.length >= trunkBefore + 60);
    supervisor.stopTone();
    trunk.stopTone();
    phone.stopTone();

    const whisperStream = phone.received.slice(phoneBefore).map((entry) => entry.packet!).filter((packet) => packet.ssrc !== 0xaaaa);
    expect(whisperStream.length).toBeGreaterThan(40);
    const volunteerHears = steady(phone.audio((packet) => packet.ssrc === whisperStream[0]!.ssrc), 800);
    expect(tonePower(volunteerHears, 2100)).toBeGreaterThan(50 * tonePower(volunteerHears, 900));
    expect(tonePower(volunteerHears, 500)).toBeGreaterThan(50 * tonePower(volunteerHears, 900));
    const callerHears = trunk.audio();
    expect(tonePower(callerHears, 1300)).toBeGreaterThan(1000 * tonePower(callerHears, 2100));
    expect(trunk.received.every((entry) => entry.packet?.ssrc === 0xbbbb)).toBe(true);
  });
});

describe('prompts over loopback', () => {
  it('arrive as 20 ms frames paced in real time, decodable to the prompt itself', async () => {
    const phone = await endpoint();
    const trunk = await endpoint();
    const relay = await relayBetween(trunk, phone);
    const library = await PromptLibrary.load(undefined, ['getal-14', 'uur']);
    const player = new PromptPlayer({ leg: relay.outside, library, clock: wallClock, scheduler: timerScheduler, logger: silentLogger() });
    cleanups.push(async () => player.stop());

    const started = performance.now();
    expect(await player.play(['getal-14', 'uur'])).toBe('finished');
    const samples = library.concatenate(['getal-14', 'uur']);
    const frames = Math.ceil(samples.length / 160);
    await trunk.waitUntil((received) => received.length === frames);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(frames * 20 * 0.9);
    expect(elapsed).toBeLessThan(frames * 20 * 1.5 + 200);

    const packets = trunk.received.map((entry) => entry.packet!);
    expect(packets.every((packet) => packet.payload.length === 160 && packet.payloadType === 8)).toBe(true);
    packets.slice(1).forEach((packet, i) => expect(packet.sequenceNumber).toBe((packets[i]!.sequenceNumber + 1) & 0xffff));
    const arrivals = trunk.received.map((entry) => entry.at);
    const meanGap = (arrivals[arrivals.length - 1]! - arrivals[0]!) / (arrivals.length - 1);
    expect(meanGap).toBeGreaterThan(17);
    expect(meanGap).toBeLessThan(30);
    expect(Array.from(trunk.audio().subarray(0, samples.length))).toEqual(Array.from(decodeG711('PCMA', encodeG711('PCMA', samples))));
  });
});

it('sends nothing out of a relay that was stopped, and frees its ports', async () => {
  const trunk = await endpoint();
  const phone = await endpoint();
  const pool = randomPortPool();
  const relay = await relayBetween(trunk, phone, ['PCMA', 'PCMA'], { pool });
  const port = relay.outside.localPort;
  await relay.stop();
  expect(pool.allocated).toBe(0);
  trunk.send(serializeRtpPacket({ payloadType: 8, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: new Uint8Array(160) }), port);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(phone.received).toHaveLength(0);
});
