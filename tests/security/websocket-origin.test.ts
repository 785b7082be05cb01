import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_UNAUTHORIZED, SESSION_COOKIE } from '../../src/stations/index.js';
import { DESK_TOKEN, PASSWORD } from '../support/coordinator-fixture.js';
import { startFullStationServer, type FullStationServer } from './full-station-server.js';

/**
 * The two WebSockets and cross-site WebSocket hijacking (docs/security.md, "WebSockets"). A page on
 * another site can open a socket to the box from a volunteer's browser, with the browser's cookies:
 * both servers refuse an upgrade whose Origin is not their own before it happens. A missing Origin
 * is let through: browsers always send one, so only a non-browser client omits it, and that client
 * still needs a desk token (stations) or gets nothing but its own chat (chat). Single cases are in
 * tests/stations/station-events.test.ts and tests/chat/chat-server.integration.test.ts.
 */

let full: FullStationServer;

beforeAll(async () => {
  full = await startFullStationServer();
});

afterAll(async () => {
  await full.stop();
});

interface Upgrade {
  readonly opened: boolean;
  readonly status?: number;
  readonly socket?: WebSocket;
}

function upgrade(url: string, headers: Record<string, string> = {}): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ opened: false, status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

function firstFrameAndClose(socket: WebSocket): Promise<{ frames: Array<{ type: string }>; code: number }> {
  return new Promise((resolve) => {
    const frames: Array<{ type: string }> = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as { type: string }));
    socket.once('close', (code) => resolve({ frames, code }));
  });
}

function withPort(url: string, delta: number): string {
  return url.replace(/:(\d+)$/, (_match, port: string) => `:${Number(port) + delta}`);
}

describe('the station socket (/api/v1/events)', () => {
  const stationSocket = (): string => `${full.url.replace(/^http/, 'ws')}/api/v1/events`;

  it('refuses an upgrade from another site, a sandboxed page, another port, another scheme or another host name, with 403', async () => {
    for (const origin of ['https://evil.example', 'null', withPort(full.url, 1), full.url.replace(/^http:/, 'https:'), full.url.replace('127.0.0.1', 'localhost'), 'not a url']) {
      const answer = await upgrade(stationSocket(), { origin });
      expect([origin, answer.opened, answer.status]).toEqual([origin, false, 403]);
    }
  });

  it('opens for its own page and for a client without Origin, and gives either nothing before a desk token', async () => {
    for (const headers of [{ origin: full.url }, {}] as Array<Record<string, string>>) {
      const answer = await upgrade(stationSocket(), headers);
      expect(answer.opened).toBe(true);
      const socket = answer.socket as WebSocket;
      const ended = firstFrameAndClose(socket);
      socket.send(JSON.stringify({ type: 'auth', token: 'not-a-desk-token-but-long-enough-1234' }));
      const { frames, code } = await ended;
      expect(code).toBe(CLOSE_UNAUTHORIZED);
      expect(frames.map((frame) => frame.type)).toEqual(['error']);
    }
  });

  it('takes a desk token only: a coordinator\'s session cookie and session token open nothing', async () => {
    const login = await fetch(`${full.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId: 'anna', password: PASSWORD }) });
    const token = /^hgw_session=([^;]+)/.exec(login.headers.getSetCookie()[0] ?? '')?.[1] ?? '';
    const answer = await upgrade(stationSocket(), { origin: full.url, cookie: `${SESSION_COOKIE}=${token}` });
    const socket = answer.socket as WebSocket;
    const ended = firstFrameAndClose(socket);
    socket.send(JSON.stringify({ type: 'auth', token }));
    expect((await ended).code).toBe(CLOSE_UNAUTHORIZED);

    const desk = (await upgrade(stationSocket(), { origin: full.url })).socket as WebSocket;
    const snapshot = new Promise<{ type: string }>((resolve) => desk.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string })));
    desk.send(JSON.stringify({ type: 'auth', token: DESK_TOKEN.token }));
    expect((await snapshot).type).toBe('snapshot');
    desk.close();
  });
});

describe('the public chat socket (/ws)', () => {
  const chatSocket = (): string => `${full.chatUrl.replace(/^http/, 'ws')}/ws`;

  it('refuses an upgrade from another site, a sandboxed page, another port or another host name, with 403', async () => {
    for (const origin of ['https://evil.example', 'null', withPort(full.chatUrl, 1), full.chatUrl.replace('127.0.0.1', 'localhost'), 'not a url']) {
      const answer = await upgrade(chatSocket(), { origin });
      expect([origin, answer.opened, answer.status]).toEqual([origin, false, 403]);
    }
  });

  it('opens for its own page, over http or behind a TLS proxy (https with the same host), and for a client without Origin', async () => {
    for (const headers of [{ origin: full.chatUrl }, { origin: full.chatUrl.replace(/^http:/, 'https:') }, {}] as Array<Record<string, string>>) {
      const answer = await upgrade(chatSocket(), headers);
      expect(answer.opened).toBe(true);
      answer.socket?.close();
    }
  });
});
