import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_UNAUTHORIZED } from '../../src/stations/index.js';
import { DESK_TOKEN } from '../support/coordinator-fixture.js';
import { startFullStationServer, type FullStationServer } from '../security/full-station-server.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileJson, hostileString, plantedIn, plantedSightings } from './hostile-values.js';

/**
 * The station WebSocket (/api/v1/events, src/stations/station-events.ts), whose first frame anyone
 * who reaches the station port may send: random frame sequences before authentication (each
 * answered by one error frame, a wrong token closing with 4401) and after it (each answered by one
 * error frame, the socket kept). One example of each is in tests/stations/station-events.test.ts.
 */

const report = new FuzzReport('station-socket');
afterAll(() => report.write());

let full: FullStationServer;

beforeAll(async () => {
  full = await startFullStationServer();
});

afterAll(async () => {
  await full.stop();
});

type Frame = { readonly data: string | Buffer; readonly binary: boolean };

/** An auth frame (a text JSON object whose type is "auth") with a wrong or missing token ends the socket. */
function isAuthFrame(item: Frame): boolean {
  if (item.binary) return false;
  try {
    const parsed: unknown = JSON.parse(String(item.data));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && (parsed as { type?: unknown }).type === 'auth';
  } catch {
    return false;
  }
}

/** Under the socket's 4,096-byte frame limit even in UTF-8 (past it ws closes with 1009, tested elsewhere). */
const fit = (text: string): string => text.slice(0, 1300);

const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.record({ type: fc.constantFrom('auth', 'AUTH', 'hello', 'subscribe', ''), token: fc.oneof(hostileString, hostileJson, fc.constant(`${DESK_TOKEN.token}x`), fc.constant(DESK_TOKEN.token.slice(0, -1))) }, { requiredKeys: ['type'] }), hostileJson).map((value): Frame => ({ data: fit(JSON.stringify(value) ?? 'null'), binary: false })) },
  { weight: 2, arbitrary: hostileString.map((data): Frame => ({ data: fit(data), binary: false })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): Frame => ({ data: Buffer.from(bytes), binary: true })) },
);

interface Played {
  readonly frames: Array<{ type: string; code?: string; message?: string }>;
  readonly closeCode: number | undefined;
}

/** Opens a socket, optionally authenticates, sends the frames, then ends the way the case needs. */
function play(frames: readonly Frame[], authenticated: boolean): Promise<Played> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${full.url.replace(/^http/, 'ws')}/api/v1/events`);
    const received: Played['frames'] = [];
    const expected = frames.length + (authenticated ? 1 : 0);
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      received.push(JSON.parse(String(data)) as Played['frames'][number]);
      if (authenticated && received.length === expected) socket.close();
    });
    socket.on('close', (code) => resolve({ frames: received, closeCode: authenticated ? undefined : code }));
    socket.on('open', () => {
      if (authenticated) socket.send(JSON.stringify({ type: 'auth', token: DESK_TOKEN.token }));
      for (const item of frames) socket.send(item.data, { binary: item.binary });
      if (!authenticated) socket.send(JSON.stringify({ type: 'auth', token: 'not-a-desk-token-but-long-enough-1234' }));
    });
    setTimeout(() => reject(new Error('the socket did not end')), 4_000).unref();
  });
}

describe('the station socket under fuzzing', () => {
  it('answers each frame before authentication with one error frame, and a wrong token closes it with 4401', async () => {
    const target = report.target('before authentication: random frame sequences');
    const logStart = full.logLines.length;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { maxLength: 8 }), async (frames) => {
        await target.runAsync(async () => {
          const played = await play(frames, false);
          expect(played.closeCode).toBe(CLOSE_UNAUTHORIZED);
          const firstAuth = frames.findIndex(isAuthFrame);
          expect(played.frames).toHaveLength(firstAuth === -1 ? frames.length + 1 : firstAuth + 1);
          for (const answer of played.frames) {
            expect(answer.type).toBe('error');
            expect(answer.code ?? '').toMatch(/^HGW_STATION_(BAD_REQUEST|UNAUTHORIZED)$/);
            expect(plantedIn(answer.message ?? '')).toBeUndefined();
          }
          target.outcome('closed 4401');
        });
      }),
      budget(8),
    );
    expect(plantedSightings('station socket log', full.logLines.slice(logStart))).toEqual([]);
    target.finished();
  });

  it('answers each frame after authentication with one error frame and keeps the socket', async () => {
    const target = report.target('after authentication: random frame sequences');
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 8 }), async (frames) => {
        await target.runAsync(async () => {
          const played = await play(frames, true);
          expect(played.frames[0]?.type).toBe('snapshot');
          expect(played.frames.slice(1).map((answer) => answer.code)).toEqual(frames.map(() => 'HGW_STATION_BAD_REQUEST'));
          target.outcome('kept');
        });
      }),
      budget(8),
    );
    target.finished();
  });
});
