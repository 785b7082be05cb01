import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoordinatorClient } from '../support/coordinator-fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'helpline-gateway.ts');

let child: ChildProcessWithoutNullStreams | undefined;
let directory: string | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  if (directory) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

/** Resolves with everything printed so far once `pattern` shows up on stdout. */
function printed(process: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`not printed within ${timeoutMs} ms: ${pattern}\n${output}`)), timeoutMs);
    process.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    process.once('exit', (code) => reject(new Error(`demo exited with ${code}\n${output}`)));
  });
}

describe('helpline-gateway demo', () => {
  it('runs the box on its embedded default and lets the printed coordinator and technician log in', async () => {
    directory = mkdtempSync(join(tmpdir(), 'hgw-demo-'));
    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'demo', '--data-dir', directory], { cwd: ROOT });
    const banner = await printed(child, /station {2}<- \S+ ringing/, 40_000);
    const url = /coordinator: +(http:\/\/\S+)\/coordinator/.exec(banner)?.[1];
    const accounts = Object.fromEntries([...banner.matchAll(/([a-z-]+-demo(?:-2)?) \/ ([A-Za-z0-9_-]{16})/g)].map((match) => [match[1], match[2]]));
    expect(url).toBeDefined();
    expect(Object.keys(accounts)).toEqual(['coordinator-demo', 'coordinator-demo-2', 'technician-demo']);

    const coordinator = new CoordinatorClient(url ?? '');
    expect((await coordinator.login('coordinator-demo', accounts['coordinator-demo'])).status).toBe(200);
    const health = await coordinator.send<{ ok: boolean; checks: { name: string; ok: boolean }[] }>('GET', '/api/v1/system/health');
    expect(health.body.checks.map((check) => [check.name, check.ok])).toEqual([
      ['database', true],
      ['line', true],
      ['upstream', true],
      ['keyring', true],
      ['incidents', true],
      ['faults', true],
      ['panel', true],
    ]);
    const technician = new CoordinatorClient(url ?? '');
    expect((await technician.login('technician-demo', accounts['technician-demo'])).status).toBe(200);
    expect((await technician.send('GET', '/api/v1/requests')).status).toBe(403);
    // The whole box's /health: the demo's fake panel shows the LEDs, nothing is wrong.
    const report = await technician.send<{ faults: string[]; intake: string; panel: { kind: string; leds: Record<string, string> } }>('GET', '/health');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ faults: [], intake: 'open', panel: { kind: 'fake', leds: { ready: 'on', fault: 'off' } } });
    expect(banner).toMatch(/panel {4}<- LED ready +blink-slow/);

    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);
});
