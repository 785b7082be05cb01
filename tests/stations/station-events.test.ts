import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_AUTH_TIMEOUT, CLOSE_UNAUTHORIZED } from '../../src/stations/index.js';
import { contactView } from './fake-station-backend.js';
import { DESK_ONE, SocketProbe, startHarness, type Harness } from './station-harness.js';

let harness: Harness | undefined;
const probes: SocketProbe[] = [];

async function start(options: { authTimeoutMs?: number } = {}): Promise<Harness> {
  harness = await startHarness(options);
  return harness;
}

function probe(url: string, origin?: string): SocketProbe {
  const created = new SocketProbe(url, origin);
  probes.push(created);
  return created;
}

afterEach(async () => {
  for (const created of probes.splice(0)) created.close();
  await harness?.stop();
  harness = undefined;
});

describe('station WebSocket /api/v1/events', () => {
  it('sends a snapshot after auth, then every backend change as a contact event', async () => {
    const { url, backend } = await start();
    backend.put(contactView({ reference: 'K7Q-3F9', state: 'ended', priorContacts: 2 }));
    const station = probe(url);
    await station.opened();
    station.send({ type: 'auth', token: DESK_ONE.token });
    expect(await station.next()).toEqual({ type: 'snapshot', contacts: [contactView({ reference: 'K7Q-3F9', state: 'ended', priorContacts: 2 })] });
    backend.put(contactView({ reference: 'M2X-8RT', callerKnown: false }));
    expect(await station.next()).toEqual({ type: 'contact', contact: contactView({ reference: 'M2X-8RT', callerKnown: false }) });
  });

  it('accepts a socket from its own origin', async () => {
    const { url } = await start();
    const station = probe(url, url);
    await station.opened();
    station.send({ type: 'auth', token: DESK_ONE.token });
    expect(await station.next()).toEqual({ type: 'snapshot', contacts: [] });
  });

  it('refuses a socket whose Origin is another site, before the upgrade', async () => {
    const { url } = await start();
    const port = new URL(url).port;
    for (const origin of ['https://evil.example', `http://localhost.evil.example:${port}`, 'null', `https://127.0.0.1:${port}`]) {
      await expect(probe(url, origin).opened(), origin).rejects.toThrow('HTTP 403');
    }
  });

  it('closes a socket that gives a wrong token, with an error frame first', async () => {
    const { url, backend } = await start();
    backend.put(contactView({ reference: 'K7Q-3F9' }));
    const station = probe(url);
    await station.opened();
    station.send({ type: 'auth', token: 'desk-one-secret-token-7f3a9X' });
    expect(await station.next()).toMatchObject({ type: 'error', code: 'HGW_STATION_UNAUTHORIZED' });
    expect((await station.closed).code).toBe(CLOSE_UNAUTHORIZED);
  });

  it('closes a socket that never authenticates, and sends it no contacts', async () => {
    const { url, backend } = await start({ authTimeoutMs: 100 });
    const station = probe(url);
    await station.opened();
    backend.put(contactView({ reference: 'K7Q-3F9' }));
    expect((await station.closed).code).toBe(CLOSE_AUTH_TIMEOUT);
    expect(station.unread()).toEqual([]);
  });

  it('answers malformed frames with an error frame and keeps serving', async () => {
    const { url, backend } = await start();
    const station = probe(url);
    await station.opened();
    for (const frame of ['not json', '[1,2]', '{"type":7}', 'null', '{"type":"subscribe"}']) {
      station.send(frame);
      expect(await station.next(), frame).toMatchObject({ type: 'error', code: 'HGW_STATION_BAD_REQUEST' });
    }
    station.socket.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
    expect(await station.next()).toMatchObject({ type: 'error', code: 'HGW_STATION_BAD_REQUEST' });
    station.send({ type: 'auth', token: DESK_ONE.token });
    expect(await station.next()).toEqual({ type: 'snapshot', contacts: [] });
    station.send('{"type":"auth"');
    expect(await station.next()).toMatchObject({ type: 'error', code: 'HGW_STATION_BAD_REQUEST' });
    backend.put(contactView({ reference: 'K7Q-3F9' }));
    expect(await station.next()).toMatchObject({ type: 'contact', contact: { reference: 'K7Q-3F9' } });
  });

  it('closes every socket on stop()', async () => {
    const { url } = await start();
    const station = probe(url);
    await station.opened();
    station.send({ type: 'auth', token: DESK_ONE.token });
    await station.next();
    await harness?.stop();
    harness = undefined;
    expect((await station.closed).code).toBe(1001);
  });
});
