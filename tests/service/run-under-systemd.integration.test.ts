import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyReceiver } from './notify-receiver.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'helpline-gateway.ts');

let directory: string;
let receiver: NotifyReceiver;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'hgw-run-notify-'));
  receiver = NotifyReceiver.atPath(join(directory, 'notify.sock'));
  await receiver.start();
});

afterAll(async () => {
  await receiver.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe('helpline-gateway run under a Type=notify unit', () => {
  it('says READY=1 once it serves, pings the watchdog from the event loop, and STOPPING=1 on SIGTERM', async () => {
    const example = JSON.parse(readFileSync(join(ROOT, 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;
    const config = join(directory, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        ...example,
        dataDir: join(directory, 'data'),
        keyringDir: undefined,
        line: { kind: 'simulated', pauseBetweenCallsMs: 60_000 },
        stations: { host: '127.0.0.1', port: 0, desks: [{ id: 'desk-1', token: 'a-station-token-of-at-least-32-characters' }] },
        // Nobody listens there: the upstream keeps trying, which must not hold up READY=1.
        upstream: { url: 'mqtt://127.0.0.1:1', period: 'day' },
        log: { level: 'warn' },
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', '--config', config], {
      cwd: ROOT,
      // WATCHDOG_USEC 1 s: a ping every 0.5 s (the unit's 30 s would make this test wait 15 s).
      env: { ...process.env, NOTIFY_SOCKET: join(directory, 'notify.sock'), WATCHDOG_USEC: '1000000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await receiver.waitFor('READY=1', 1, 25_000);
      await receiver.waitFor('WATCHDOG=1', 3, 10_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    await receiver.waitFor('STOPPING=1');
    const lines = receiver.received();
    expect(lines[0]).toBe('STATUS=starting: opening the store, loading the prior-contact index');
    expect(lines.indexOf('READY=1')).toBeLessThan(lines.indexOf('WATCHDOG=1'));
    expect(lines).toContain('STATUS=running; upstream not connected');
    expect(lines.at(-1)).toBe('STATUS=stopping');
  });
});
