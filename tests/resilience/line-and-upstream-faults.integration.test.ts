import { afterEach, describe, expect, it } from 'vitest';
import type { LedMode } from '../../src/panel/index.js';
import { SocatPtyPair } from '../support/pty-modem.js';
import { FAULT_SITE } from './fault-box.js';
import { CALLERS, FaultRig, records } from './fault-rig.js';
import { bySize, recordFault } from './soak-size.js';
import { UpstreamLedger } from './upstream-ledger.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Fault suite, the box's two wires (issue 8): the modem unplugged and plugged in again, and the
 * central office's broker gone for hours. Neither stops intake: the line LED goes off and comes
 * back by itself; statistics wait in the outbox with the upstream LED blinking fast and all
 * arrive, in order, once the broker is back.
 */
const REPEATS = bySize(1, 4);
const HOUR = 3_600_000;
let rig: FaultRig | undefined;

afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

describe('fault: the modem is unplugged and plugged in again (a socat pty killed and made again)', () => {
  it('turns the line LED off with one HGW_LINE_UNREACHABLE line, keeps everything, and takes calls again once the modem is back', { timeout: bySize(60_000, 240_000) }, async () => {
    const r = (rig = await FaultRig.start());
    const box = await r.box();
    const references = [await box.registeredCall(CALLERS[0]), await box.registeredCall(CALLERS[1])];
    const recordsBefore = records(box.counts());

    for (let round = 1; round <= REPEATS; round++) {
      const before = box.counts();
      const logFrom = box.logs.length;
      box.unplug();
      await r.modem.stop();
      await waitFor(() => box.leds().line === 'off', 'the line LED off');
      expect(box.codedLines(logFrom).map((line) => line.code)).toContain('HGW_LINE_UNREACHABLE');
      // Not a fault: intake is open (a chat or mail would still be taken), the fault LED stays off.
      expect(box.gateway.faults.codes()).toEqual([]);
      expect(box.leds().fault).toBe('off');
      expect(box.gateway.health()).toMatchObject({ intake: 'open', faults: [] });
      expect(box.counts()).toEqual(before);

      r.modem = await SocatPtyPair.start(r.directory);
      box.replug(r.modem);
      await waitFor(() => box.leds().line === 'on', 'the line LED on again', 20_000);
      // The same caller again: recorded, and still linked to the calls before the fault.
      const { ringing } = await box.call(CALLERS[0], round);
      expect(ringing).toMatchObject({ recorded: true, callerKnown: true, priorContacts: round });
      expect(await box.wrapUp(ringing.reference)).toBe(200);
      references.push(ringing.reference);
    }
    const lost = box.readBack(references).filter((row) => row?.state !== 'registered' || row.registered !== 1).length;
    expect(lost).toBe(0);
    await recordFault('modem-unplugged', {
      injected: REPEATS,
      recordsBefore,
      recordsAfter: records(box.counts()),
      recordsLost: lost,
      endState: 'line LED off, HGW_LINE_UNREACHABLE logged per reconnect attempt (backoff 1 s doubling to 30 s), intake open, fault LED off; back by itself when plugged in',
    });
  });
});

describe('fault: the broker is gone for hours (mosquitto stopped while the clock moves on)', () => {
  it('keeps every closed period in the outbox with the upstream LED blinking fast and one HGW_UPSTREAM_OFFLINE line, then delivers all, once each, in order', { timeout: bySize(90_000, 400_000) }, async () => {
    const r = (rig = await FaultRig.start({ persistentBroker: true }));
    const mosquitto = r.mosquitto;
    if (!mosquitto) throw new Error('no broker');
    const office = new UpstreamLedger(FAULT_SITE, { persistentSession: true });
    await office.connect(r.brokerUrl);
    r.later(() => office.close());
    const box = await r.box({ period: 'minute' });
    await box.registeredCall(CALLERS[0]);
    await box.registeredCall(CALLERS[1]);
    r.clock.advance(60_000);
    expect(await box.closeDuePeriods()).toBe(1);
    await waitFor(() => office.tally().distinctSeqs === 2 && box.leds().upstream === 'on', 'the first period delivered');
    const recordsBefore = records(box.counts());
    const hours = bySize(3, 12);

    for (let round = 1; round <= REPEATS; round++) {
      const before = box.counts();
      const logFrom = box.logs.length;
      await mosquitto.stop();
      await waitFor(() => box.leds().upstream === 'off', 'the upstream LED off (nothing waiting yet)');
      expect(box.codedLines(logFrom).filter((line) => line.code === 'HGW_UPSTREAM_OFFLINE')).toHaveLength(1);

      // Hours go by: a call now and then, every minute's period closed into the outbox.
      let closed = 0;
      for (let hour = 0; hour < hours; hour++) {
        await box.registeredCall(CALLERS[(hour + round) % CALLERS.length], hour);
        r.clock.advance(HOUR);
        closed += await box.closeDuePeriods();
      }
      expect(closed).toBe(hours * 60);
      const waiting = box.gateway.upstream.outbox.count();
      expect(waiting).toBe(2 * closed);
      await waitFor(() => box.leds().upstream === 'blink-fast', 'the upstream LED blinking fast');
      expect(box.gateway.health()).toMatchObject({ faults: [], intake: 'open', queues: { outbox: waiting } });
      expect(box.leds().fault).toBe('off');

      // The broker is back (with the central office's persistent session): everything arrives.
      const seen = new Set<LedMode>();
      const watch = setInterval(() => seen.add(box.leds().upstream), 10);
      await mosquitto.start();
      await office.close();
      await office.connect(r.brokerUrl);
      await waitFor(() => box.gateway.upstream.outbox.count() === 0 && box.leds().upstream === 'on', 'the outbox replayed', 60_000);
      clearInterval(watch);
      expect([...seen]).toContain('blink-slow');
      const lastSeq = Number(box.gateway.database.get<{ value: string }>("SELECT value FROM meta WHERE key = 'upstream.seq'")?.value);
      await waitFor(() => office.tally().distinctSeqs === lastSeq, 'every message at the central office', 20_000);
      const tally = office.tally();
      expect(tally.missingSeqs).toEqual([]);
      expect(tally.repeatsDiffering).toBe(0);
      // In order: the seqs of this replay arrived ascending.
      const replayed = office.messages.slice(-waiting).map((message) => message.seq);
      expect(replayed).toEqual([...replayed].sort((a, b) => a - b));
      const after = box.counts();
      expect(after).toMatchObject({ contacts: before.contacts + hours, registrations: before.registrations + hours, closedPeriods: before.closedPeriods + closed });
      expect(office.bySeq().size).toBe(2 * after.closedPeriods);
    }
    await recordFault('broker-gone', {
      injected: REPEATS,
      recordsBefore,
      recordsAfter: records(box.counts()),
      recordsLost: office.tally().missingSeqs.length,
      endState: `upstream LED off, then blinking fast while ${hours} h of periods wait in the outbox, HGW_UPSTREAM_OFFLINE logged once; intake open; all delivered in order when the broker returns`,
    });
  });
});
