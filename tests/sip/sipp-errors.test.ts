import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sippErrorEvents } from '../support/sipp-errors.js';

let directory: string;
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const HEADER = 'The following events occurred:\n';
const WATCHDOG = '2026-12-06\t13:08:40.609925\t1796562520.609925: Overload warning: the minor watchdog timer 500ms has been tripped (528), 119 trips remaining.\n';
const REGEXP = "2026-12-06\t12:14:35.976440\t1796559275.976440: Regexp matched but should not: looking in 'INVITE sip:desk@127.0.0.1 SIP/2.0\nX-Leak: +31 6\n', with regexp '(\\+|00)31'\n";

describe('the SIPp error events a test judges', () => {
  it('are empty when SIPp only warned that it was woken late, and keep every other event', () => {
    directory = mkdtempSync(join(tmpdir(), 'hgw-sipp-errors-'));
    writeFileSync(join(directory, 'desk_1_errors.log'), HEADER + WATCHDOG + WATCHDOG.replace('minor', 'major'));
    expect(sippErrorEvents(directory)).toBe('');
    writeFileSync(join(directory, 'trunk_2_errors.log'), HEADER + WATCHDOG + REGEXP);
    expect(sippErrorEvents(directory)).toContain('Regexp matched but should not');
    expect(sippErrorEvents(directory)).toContain('X-Leak: +31 6');
    expect(sippErrorEvents(directory)).not.toContain('watchdog');
  });
});
