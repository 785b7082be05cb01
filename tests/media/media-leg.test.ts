import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/index.js';
import { MediaLeg, type MediaLegOptions } from '../../src/media/media-leg.js';
import { RtpPortPool } from '../../src/media/port-pool.js';
import { serializeRtpPacket } from '../../src/media/rtp-packet.js';
import { ManualScheduler } from '../../src/time/index.js';
import { FakeRtpEndpoint, randomPortPool } from './rtp-endpoint.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const rtp = (sequenceNumber = 1): Buffer => serializeRtpPacket({ payloadType: 8, sequenceNumber, timestamp: sequenceNumber * 160, ssrc: 9, payload: new Uint8Array(160).fill(0xd5) });

async function startedLeg(overrides: Partial<MediaLegOptions> = {}): Promise<{ leg: MediaLeg; scheduler: ManualScheduler; pool: RtpPortPool }> {
  const scheduler = new ManualScheduler(0);
  const pool = overrides.pool ?? randomPortPool();
  const leg = new MediaLeg({ name: 'outside', pool, bindAddress: '127.0.0.1', codec: 'PCMA', clock: scheduler.clock, scheduler, logger: silentLogger(), ...overrides });
  cleanups.push(() => leg.stop());
  await leg.start();
  return { leg, scheduler, pool };
}

async function endpoint(address = '127.0.0.1'): Promise<FakeRtpEndpoint> {
  const fake = await FakeRtpEndpoint.open(address);
  cleanups.push(() => fake.close());
  return fake;
}

describe('media leg', () => {
  it('reports a leg silent for the media timeout once, and again only after media came back and stopped', async () => {
    const timedOut: string[] = [];
    const phone = await endpoint();
    const { leg, scheduler } = await startedLeg({ mediaTimeoutMs: 5000, remote: phone.endpoint, onMediaTimeout: (silent) => timedOut.push(silent.name) });
    scheduler.advance(4999);
    expect(timedOut).toEqual([]);
    scheduler.advance(1);
    expect(timedOut).toEqual(['outside']);
    scheduler.advance(20_000);
    expect(timedOut).toHaveLength(1);

    phone.send(rtp(), leg.localPort);
    await waitFor(() => leg.counters.packetsIn === 1);
    scheduler.advance(4000);
    phone.send(rtp(2), leg.localPort);
    await waitFor(() => leg.counters.packetsIn === 2);
    scheduler.advance(4999);
    expect(timedOut).toHaveLength(1);
    scheduler.advance(1);
    expect(timedOut).toEqual(['outside', 'outside']);
  });

  it('counts garbage as malformed and packets from another host as dropped, without latching them', async () => {
    const phone = await endpoint();
    const stranger = await endpoint('127.0.0.2');
    const { leg } = await startedLeg({ remote: phone.endpoint });
    stranger.send(rtp(), leg.localPort);
    stranger.send(Buffer.from('garbage'), leg.localPort);
    await waitFor(() => leg.counters.dropped === 1 && leg.counters.malformed === 1);
    expect(leg.latched).toBe(false);
    expect(leg.counters.packetsIn).toBe(0);
  });

  it('latches any host when configured for any-host', async () => {
    const stranger = await endpoint('127.0.0.2');
    const { leg } = await startedLeg({ latch: 'any-host', remote: { address: '127.0.0.1', port: 9 } });
    stranger.send(rtp(), leg.localPort);
    await waitFor(() => leg.counters.packetsIn === 1);
    expect(leg.remote).toEqual({ address: '127.0.0.2', port: stranger.port });
  });

  it('drops what it is asked to send while it has no remote (or a hold address)', async () => {
    const { leg } = await startedLeg();
    expect(leg.send(rtp())).toBe(false);
    leg.setRemote({ address: '0.0.0.0', port: 4000 });
    expect(leg.send(rtp())).toBe(false);
    expect(leg.counters.dropped).toBe(2);
  });

  it('gives its port pair back and closes its socket on stop', async () => {
    const { leg, pool } = await startedLeg();
    const port = leg.localPort;
    expect(pool.isAllocated(port)).toBe(true);
    await leg.stop();
    await leg.stop();
    expect(pool.allocated).toBe(0);
    const reuse = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      reuse.once('error', reject);
      reuse.bind(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => reuse.close(() => resolve()));
  });

  it('skips a port another program holds, and answers HGW_MEDIA_PORTS_EXHAUSTED when none is left', async () => {
    let taken = 0;
    for (let attempt = 0; attempt < 50 && taken === 0; attempt++) {
      const candidate = 20000 + 2 * Math.floor(Math.random() * 5000);
      const squatter = createSocket('udp4');
      taken = await new Promise<number>((resolve) => {
        squatter.once('error', () => resolve(0));
        squatter.bind(candidate, '127.0.0.1', () => resolve(candidate));
      });
      if (taken === 0) squatter.close();
      else cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    }

    const twoPairs = new RtpPortPool({ first: taken, last: taken + 3 });
    const { leg } = await startedLeg({ pool: twoPairs });
    expect(leg.localPort).toBe(taken + 2);

    const onePair = new RtpPortPool({ first: taken, last: taken + 1 });
    const error = await startedLeg({ pool: onePair }).then(() => undefined, (caught: unknown) => caught);
    expect(isGatewayError(error, 'HGW_MEDIA_PORTS_EXHAUSTED')).toBe(true);
    expect(onePair.allocated).toBe(0);
  });
});

describe('media leg stopped while binding', () => {
  it('leaves no socket open and no port taken', async () => {
    const scheduler = new ManualScheduler(0);
    const pool = randomPortPool();
    const leg = new MediaLeg({ name: 'inside', pool, bindAddress: '127.0.0.1', codec: 'PCMU', clock: scheduler.clock, scheduler, logger: silentLogger() });
    const starting = leg.start();
    await leg.stop();
    await starting;
    expect(pool.allocated).toBe(0);
    expect(leg.send(rtp())).toBe(false);
  });
});
