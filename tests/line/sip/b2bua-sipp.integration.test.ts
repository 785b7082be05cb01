import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canonicalText } from '../../../src/privacy/raw-identifier.js';
import {
  CALLER_DIGIT_PATTERNS, callFromTrunk, ensureSipp, freeUdpPort, killSipps, removeDirectory, startBox, startDesk, tempDirectory,
  type Box, type SippRun,
} from './b2bua-harness.js';
import { waitFor } from '../../support/wait-for.js';

let directory: string;
let box: Box | undefined;

beforeAll(() => {
  ensureSipp();
});

afterEach(async () => {
  killSipps();
  await box?.stop();
  box = undefined;
  removeDirectory(directory);
});

function expectPassed(run: SippRun, who: string): void {
  expect(run.errors, `${who} errors`).toBe('');
  expect(run.exitCode, `${who}: ${run.stderr}`).toBe(0);
}

/** Every SIP message in a SIPp -trace_msg file, without SIPp's own separator and timestamp lines. */
function expectNoCallerDigits(trace: string): void {
  const messages = trace.split('\n').filter((line) => !/^-{5,}|^(UDP|TCP) message (received|sent)/.test(line)).join('\n');
  expect(messages).toMatch(/INVITE sip:/);
  for (const pattern of CALLER_DIGIT_PATTERNS) expect(messages, `desk trace matches ${pattern}`).not.toMatch(pattern);
}

describe('the B2BUA between SIPp trunk and SIPp desk phones', () => {
  it('routes consecutive calls to the longest-idle free station and shows only the count and a reference', async () => {
    directory = tempDirectory();
    const ports = [await freeUdpPort(), await freeUdpPort()];
    box = await startBox(directory, { stations: [{ id: 'desk-1', port: ports[0] ?? 0 }, { id: 'desk-2', port: ports[1] ?? 0 }] });

    const first = await startDesk(directory, 'desk-1', 'desk-answers', ports[0] ?? 0);
    const firstTrunk = await callFromTrunk(directory, 'trunk-1', 'trunk-caller-hangs-up', box.port, ['-d', '200']);
    const firstDesk = await first.done;
    expectPassed(firstTrunk, 'trunk 1');
    expectPassed(firstDesk, 'desk 1');

    const second = await startDesk(directory, 'desk-2', 'desk-answers', ports[1] ?? 0);
    const secondTrunk = await callFromTrunk(directory, 'trunk-2', 'trunk-caller-hangs-up', box.port, ['-d', '200']);
    const secondDesk = await second.done;
    expectPassed(secondTrunk, 'trunk 2');
    expectPassed(secondDesk, 'desk 2');

    // desk-1 took the first call, so desk-2 (idle since start) was the longest idle for the second.
    expect(box.rings).toEqual(['desk-1', 'desk-2']);
    for (const desk of [firstDesk, secondDesk]) expectNoCallerDigits(desk.messages);
    expect(firstDesk.messages).toMatch(/Bekende beller, 4 eerdere contacten/);
    // The privacy core got the number, normalized, inside a RawPhoneNumber.
    const caller = box.intake.offered[0]?.caller;
    expect(caller?.kind).toBe('number');
    if (caller?.kind === 'number') expect(canonicalText(caller.number)).toBe('+31612345678');
    await waitFor(() => box?.intake.ended.length === 2, 'both contacts ended');
    expect(box.line.snapshot().calls).toHaveLength(0);
  });

  it('overflows from a busy desk and a desk that does not answer to the next, which hangs up: BYE reaches the trunk', async () => {
    directory = tempDirectory();
    const ports = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
    box = await startBox(directory, {
      stations: [{ id: 'desk-1', port: ports[0] ?? 0 }, { id: 'desk-2', port: ports[1] ?? 0 }, { id: 'desk-3', port: ports[2] ?? 0 }],
    });
    const busy = await startDesk(directory, 'busy', 'desk-busy', ports[0] ?? 0);
    const silent = await startDesk(directory, 'silent', 'desk-no-answer', ports[1] ?? 0);
    const answering = await startDesk(directory, 'answering', 'desk-hangs-up', ports[2] ?? 0, ['-d', '200']);
    const trunk = await callFromTrunk(directory, 'trunk', 'trunk-awaits-bye', box.port);
    const desks = await Promise.all([busy.done, silent.done, answering.done]);
    expectPassed(trunk, 'trunk');
    desks.forEach((desk, index) => expectPassed(desk, `desk ${index + 1}`));
    for (const desk of desks) expectNoCallerDigits(desk.messages);
    expect(box.rings).toEqual(['desk-1', 'desk-2', 'desk-3']);
    expect(box.stopRings).toEqual([['desk-2', 'timeout']]);
    await waitFor(() => box?.intake.ended.length === 1, 'the contact ended');
    expect(box.router.snapshot().stations.map((station) => station.state)).toEqual(['available', 'available', 'available']);
  });

  it('plays a blocked caller the prompt and hangs up without ringing any desk phone', async () => {
    directory = tempDirectory();
    const port = await freeUdpPort();
    box = await startBox(directory, { stations: [{ id: 'desk-1', port }] });
    box.intake.moderation = { kind: 'blocked', until: Date.UTC(2031, 2, 3, 13, 30) };
    const trunk = await callFromTrunk(directory, 'trunk', 'trunk-awaits-bye', box.port);
    expectPassed(trunk, 'trunk');
    expect(box.rings).toEqual([]);
    expect(box.line.counters().callsModerated).toBe(1);
    await waitFor(() => box?.intake.ended.length === 1, 'the contact ended');
  });

  it('answers an INVITE from a source off the trunk allow-list with 403 and offers nothing', async () => {
    directory = tempDirectory();
    box = await startBox(directory, { stations: [{ id: 'desk-1', port: await freeUdpPort() }], trunkPeers: ['192.0.2.0/24'] });
    const trunk = await callFromTrunk(directory, 'trunk', 'trunk-forbidden', box.port);
    expectPassed(trunk, 'trunk');
    expect(box.intake.offered).toHaveLength(0);
    expect(box.line.counters().forbiddenSources).toBe(1);
  });
});
