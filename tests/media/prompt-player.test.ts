import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/index.js';
import { decodeG711, decodeUlaw, encodeUlaw, PAYLOAD_TYPE } from '../../src/media/g711.js';
import { MediaLeg } from '../../src/media/media-leg.js';
import { PromptLibrary } from '../../src/media/prompt-library.js';
import { PromptPlayer, type PlaybackEnd } from '../../src/media/prompt-player.js';
import { encodePromptWav } from '../../src/media/wav-file.js';
import { ManualScheduler } from '../../src/time/index.js';
import { FakeRtpEndpoint, randomPortPool } from './rtp-endpoint.js';

let library: PromptLibrary;
let directory: string;
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'hgw-player-'));
  writeFileSync(join(directory, 'uur.wav'), encodePromptWav(new Int16Array(400).fill(1000)));
  writeFileSync(join(directory, 'om.wav'), encodePromptWav(new Int16Array(160).fill(-2000)));
  library = await PromptLibrary.load(directory, ['uur', 'om']);
  return () => rmSync(directory, { recursive: true, force: true });
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ player: PromptPlayer; phone: FakeRtpEndpoint; scheduler: ManualScheduler; leg: MediaLeg }> {
  const scheduler = new ManualScheduler(0);
  const phone = await FakeRtpEndpoint.open();
  cleanups.push(() => phone.close());
  const leg = new MediaLeg({ name: 'outside', pool: randomPortPool(), bindAddress: '127.0.0.1', codec: 'PCMU', remote: phone.endpoint, clock: scheduler.clock, scheduler, logger: silentLogger() });
  cleanups.push(() => leg.stop());
  await leg.start();
  const player = new PromptPlayer({ leg, library, clock: scheduler.clock, scheduler, logger: silentLogger() });
  cleanups.push(async () => player.stop());
  return { player, phone, scheduler, leg };
}

describe('prompt player', () => {
  it('sends the segments as 20 ms frames, one per 20 ms, in the leg\'s law, with the tail padded with silence', async () => {
    const { player, phone, scheduler } = await setup();
    let end: PlaybackEnd | undefined;
    void player.play(['uur', 'om']).then((how) => (end = how));
    scheduler.advance(19);
    expect(phone.received).toHaveLength(0);
    for (let frame = 1; frame <= 4; frame++) {
      scheduler.advance(20 - (frame === 1 ? 19 : 0));
      await phone.waitUntil((received) => received.length === frame);
    }
    await Promise.resolve();
    expect(end).toBe('finished');
    expect(scheduler.pending).toBe(0);

    const packets = phone.received.map((entry) => entry.packet!);
    expect(packets.map((packet) => packet.payloadType)).toEqual([0, 0, 0, 0].map(() => PAYLOAD_TYPE.PCMU));
    expect(packets.map((packet) => packet.marker)).toEqual([true, false, false, false]);
    expect(new Set(packets.map((packet) => packet.ssrc)).size).toBe(1);
    packets.slice(1).forEach((packet, i) => {
      expect(packet.sequenceNumber).toBe((packets[i]!.sequenceNumber + 1) & 0xffff);
      expect(packet.timestamp).toBe((packets[i]!.timestamp + 160) >>> 0);
    });
    const samples = packets.flatMap((packet) => Array.from(decodeG711('PCMU', packet.payload)));
    expect(samples).toHaveLength(640);
    const loud = decodeUlaw(encodeUlaw(1000));
    const negative = decodeUlaw(encodeUlaw(-2000));
    expect(samples.slice(0, 400).every((value) => value === loud)).toBe(true);
    expect(samples.slice(400, 560).every((value) => value === negative)).toBe(true);
    expect(samples.slice(560).every((value) => value === 0)).toBe(true);
  });

  it('ends a playback as stopped on stop() and sends nothing more', async () => {
    const { player, phone, scheduler } = await setup();
    const end = player.play(['uur']);
    scheduler.advance(20);
    await phone.waitUntil((received) => received.length === 1);
    player.stop();
    expect(await end).toBe('stopped');
    scheduler.advance(1000);
    expect(scheduler.pending).toBe(0);
    expect(player.playing).toBe(false);
  });

  it('ends the previous playback as stopped when a new one starts, with a new stream', async () => {
    const { player, phone, scheduler } = await setup();
    const first = player.play(['uur']);
    scheduler.advance(20);
    const second = player.play(['om']);
    expect(await first).toBe('stopped');
    scheduler.advance(20);
    expect(await second).toBe('finished');
    await phone.waitUntil((received) => received.length === 2);
    expect(phone.received[0]!.packet!.ssrc).not.toBe(phone.received[1]!.packet!.ssrc);
  });

  it('loops hold music until stopped', async () => {
    const { player, leg, scheduler } = await setup();
    const end = player.play(['om'], { loop: true });
    scheduler.advance(20 * 50);
    expect(leg.counters.packetsOut).toBe(50);
    player.stop();
    expect(await end).toBe('stopped');
  });

  it('rejects a segment the library does not hold with HGW_MEDIA_PROMPT', async () => {
    const { player } = await setup();
    const error = await player.play(['minuten']).then(() => undefined, (caught: unknown) => caught);
    expect(isGatewayError(error, 'HGW_MEDIA_PROMPT')).toBe(true);
  });
});
