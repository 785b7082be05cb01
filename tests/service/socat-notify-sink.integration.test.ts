import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { SocatNotifySink } from '../../src/service/index.js';
import { timerScheduler } from '../../src/time/scheduler.js';
import { NotifyReceiver } from './notify-receiver.js';

const ROOT = join(import.meta.dirname, '..', '..');

let directory: string;
const receivers: NotifyReceiver[] = [];

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'hgw-notify-'));
});

afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.stop();
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function receiver(make: () => NotifyReceiver): Promise<NotifyReceiver> {
  const started = make();
  receivers.push(started);
  await started.start();
  return started;
}

describe('notifications through socat to a real unix datagram socket', () => {
  it('delivers READY, STATUS, WATCHDOG and STOPPING to a socket path, each message newline-framed', async () => {
    const socket = join(directory, 'notify.sock');
    const systemd = await receiver(() => NotifyReceiver.atPath(socket));
    const sink = await SocatNotifySink.start({ socket: { kind: 'path', path: socket }, scheduler: timerScheduler, logger: silentLogger() });
    sink.send(['READY=1', 'STATUS=running']);
    await systemd.waitFor('READY=1');
    sink.send(['WATCHDOG=1']);
    sink.send(['WATCHDOG=1']);
    sink.send(['STOPPING=1']);
    await sink.close();
    await systemd.waitFor('STOPPING=1');
    expect(systemd.received()).toEqual(['READY=1', 'STATUS=running', 'WATCHDOG=1', 'WATCHDOG=1', 'STOPPING=1']);
  });

  it('sends to an abstract socket name (NOTIFY_SOCKET starting with @)', async () => {
    const name = `hgw-notify-test-${process.pid}`;
    const systemd = await receiver(() => NotifyReceiver.abstract(name));
    const sink = await SocatNotifySink.start({ socket: { kind: 'abstract', name }, scheduler: timerScheduler, logger: silentLogger() });
    sink.send(['READY=1']);
    await sink.close();
    await systemd.waitFor('READY=1');
  });

  it('starts socat again when it exits (here: nobody listened yet), so later messages still arrive', async () => {
    const socket = join(directory, 'late.sock');
    const sink = await SocatNotifySink.start({ socket: { kind: 'path', path: socket }, scheduler: timerScheduler, logger: silentLogger(), respawnDelayMs: 50 });
    // No socket yet: socat's sendto fails and it exits.
    sink.send(['WATCHDOG=1']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const systemd = await receiver(() => NotifyReceiver.atPath(socket));
    await expect
      .poll(() => {
        sink.send(['WATCHDOG=1']);
        return systemd.received().includes('WATCHDOG=1');
      }, { timeout: 10_000, interval: 100 })
      .toBe(true);
    await sink.close();
  });

  it('fails at start with HGW_SERVICE_NOTIFY when socat cannot be started', async () => {
    await expect(
      SocatNotifySink.start({ socket: { kind: 'path', path: join(directory, 'x.sock') }, scheduler: timerScheduler, logger: silentLogger(), command: join(directory, 'no-such-socat') }),
    ).rejects.toMatchObject({ code: 'HGW_SERVICE_NOTIFY' });
  });

  it('stops pinging while the event loop is stuck, and pings again once it runs', async () => {
    const socket = join(directory, 'stall.sock');
    const systemd = await receiver(() => NotifyReceiver.atPath(socket));
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'stalling-service.ts')], {
      cwd: ROOT,
      env: { ...process.env, NOTIFY_SOCKET: socket, WATCHDOG_USEC: '200000' },
      stdio: 'ignore',
    });
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(exitCode).toBe(0);
    await systemd.waitFor('STOPPING=1');
    const pings = systemd.lines.filter((entry) => entry.line === 'WATCHDOG=1').map((entry) => entry.at);
    const gaps = pings.slice(1).map((at, index) => at - (pings[index] ?? at));
    // Every 100 ms while the loop runs; nothing for the 1.2 s it is stuck.
    expect(Math.max(...gaps)).toBeGreaterThan(1000);
    const afterStall = pings.length - (gaps.findIndex((gap) => gap > 1000) + 1);
    expect(afterStall).toBeGreaterThanOrEqual(2);
    expect(systemd.received()[0]).toBe('READY=1');
  });
});
