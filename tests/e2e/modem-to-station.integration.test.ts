import { afterEach, describe, expect, it } from 'vitest';
import { STATION_CONTACT_KEYS } from '../../src/stations/station-json.js';
import { countAt, STATS_DIMENSIONS, type StatsMessage } from '../../src/upstream/stats-message.js';
import { validateOutgoing } from '../../src/upstream/topics.js';
import { CATEGORIES, SITE_ID, startWholeBox, SUPPRESSION_THRESHOLD, type WholeBox } from './whole-box-harness.js';
import { waitFor } from '../support/wait-for.js';

/** 10:00:00 in Amsterdam: every call of the first test falls into the minute that starts here. */
const MINUTE_START = Date.parse('2025-06-10T08:00:00Z');
const REFERENCE_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

describe('the whole box from a modem on a pty to a station and the central office', () => {
  let box: WholeBox | undefined;
  afterEach(async () => {
    await box?.cleanup();
    box = undefined;
  });

  it('shows a caller on the station with growing counts across renderings, and publishes the suppressed stats of the closed minute', async () => {
    box = await startWholeBox({ start: new Date(MINUTE_START) });
    const { station, clock, gateway, central, feeder } = box;
    expect(feeder.commands).toEqual(['ATZ', 'AT+VCID=1']);

    const first = await box.takeCall('RING', 'DATE = 0610', 'TIME = 1000', 'NMBR = 0612345678', 'RING');
    expect(Object.keys(first.ringing).sort()).toEqual([...STATION_CONTACT_KEYS].sort());
    expect(first.ringing).toMatchObject({ channel: 'phone', priorContacts: 0, callerKnown: true, state: 'ringing', offeredAt: MINUTE_START });
    expect(first.ringing.reference).toMatch(REFERENCE_SHAPE);

    const second = await box.takeCall('RING', 'NMBR = +31612345678');
    expect(second.ringing).toMatchObject({ priorContacts: 1, callerKnown: true });
    const third = await box.takeCall('D0031612345678C', 'RING');
    expect(third.ringing).toMatchObject({ priorContacts: 2, callerKnown: true });
    const withheld = await box.takeCall('RING', 'NMBR = P', 'RING');
    expect(withheld.ringing).toMatchObject({ priorContacts: 0, callerKnown: false });

    const references = [first, second, third, withheld].map((call) => call.ringing.reference);
    expect(new Set(references).size).toBe(4);
    for (const call of [first, second, third, withheld]) expect(call.ended.state).toBe('ended');

    const open = await station.request('GET', '/api/v1/contacts');
    expect(open.status).toBe(200);
    const listed = (JSON.parse(open.body) as { contacts: Array<{ reference: string; state: string }> }).contacts;
    expect(listed.map((contact) => contact.reference).sort()).toEqual([...references].sort());
    expect(listed.every((contact) => contact.state === 'ended')).toBe(true);

    // Three in one cell, one alone in another (below the threshold of 2: suppressed).
    const shared = { ageBand: '12-14', topic: 'bullying', outcome: 'conversation' };
    for (const reference of references.slice(0, 3)) expect((await box.wrapUp(reference, shared)).status).toBe(200);
    const alone = await box.wrapUp(withheld.ringing.reference, { ageBand: '15-17', topic: 'family', outcome: 'hung-up' });
    expect(alone.status).toBe(200);
    expect(JSON.parse(alone.body)).toMatchObject({ contact: { reference: withheld.ringing.reference, state: 'registered' } });
    expect((await box.wrapUp(withheld.ringing.reference, shared)).status).toBe(404);

    await waitFor(() => central.on('status').some((message) => message.json.state === 'online'), 'the online status');
    expect(central.on('stats')).toHaveLength(0);

    clock.set(MINUTE_START + 60_000 + 1);
    expect(await gateway.upstream.aggregator.closeDuePeriods()).toBe(1);
    await waitFor(() => central.on('stats').length === 1 && box?.published.some((message) => message.topic.endsWith('/stats')) === true, 'the stats message');
    await waitFor(() => gateway.upstream.outbox.count() === 0, 'the outbox row deleted after PUBACK');

    const [stats] = central.on('stats');
    expect(stats?.json).toMatchObject({
      schema: 'helpline.stats/2',
      site: SITE_ID,
      session: gateway.upstream.session,
      seq: 1,
      period: { start: '2025-06-10T10:00:00+02:00', end: '2025-06-10T10:01:00+02:00', length: 'minute' },
      disclosure: { threshold: SUPPRESSION_THRESHOLD },
      withheld: null,
    });
    const message = validateOutgoing(stats?.topic ?? '', JSON.stringify(stats?.json)) as StatsMessage;
    expect(message.cells).toHaveLength(3 * (CATEGORIES.topics.length + 1) * (CATEGORIES.ageBands.length + 1) * (CATEGORIES.outcomes.length + 1));
    const cell = (topic: string, ageBand: string, outcome: string) => countAt(message, STATS_DIMENSIONS, { channel: 'phone', topic, ageBand, outcome });
    expect(cell('family', '15-17', 'hung-up')).toBeNull();
    expect(message.cells.filter((count) => count !== 0)).toHaveLength(2);
    // The lone registration's totals are suppressed with it, and the phone total minus the three
    // would give it back: one of those two is suppressed as well (docs/statistics.md).
    expect(countAt(message, ['topic'], { topic: 'family' })).toBeNull();
    const three = cell('bullying', '12-14', 'conversation');
    expect(three === 3 || three === null).toBe(true);
    expect(three === null || countAt(message, ['channel'], { channel: 'phone' }) === null).toBe(true);
    expect(message.disclosure).toMatchObject({ secondarySuppression: 'interval-audit', protectionWidth: 2 });

    // The next minute had no registrations: a second close publishes nothing new for this one.
    expect(await gateway.upstream.aggregator.closeDuePeriods()).toBe(0);
  });

  it('counts a call of the previous month as an earlier contact after the month changes on the site clock', async () => {
    // 23:59:50 on 30 June in Amsterdam, then 00:00:30 on 1 July there (still 30 June in UTC).
    const lastSecondsOfJune = Date.parse('2025-06-30T21:59:50Z');
    const firstMinuteOfJuly = Date.parse('2025-06-30T22:00:30Z');
    box = await startWholeBox({ start: new Date(lastSecondsOfJune) });

    const june = await box.takeCall('RING', 'NMBR = 0687654321', 'RING');
    expect(june.ringing).toMatchObject({ priorContacts: 0, callerKnown: true });
    box.clock.set(firstMinuteOfJuly);
    const july = await box.takeCall('RING', 'NMBR = +31 6 8765 4321', 'RING');
    expect(july.ringing).toMatchObject({ priorContacts: 1, callerKnown: true, offeredAt: firstMinuteOfJuly });

    const epochs = box.gateway.database.all<{ link_epoch: string }>('SELECT link_epoch FROM contacts ORDER BY id');
    expect(epochs.map((row) => row.link_epoch)).toEqual(['2025-06', '2025-07']);
  });
});
