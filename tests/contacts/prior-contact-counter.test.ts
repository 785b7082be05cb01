import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { PriorContactCounter } from '../../src/contacts/prior-contact-counter.js';
import { PseudonymTally } from '../../src/contacts/pseudonym-tally.js';
import type { Pseudonym } from '../../src/privacy/types.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { deskFixture, type DeskFixture } from './desk-fixture.js';

const pseudonym = (): Pseudonym => new Uint8Array(randomBytes(16)) as Pseudonym;
let fixture: DeskFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

describe('the pseudonym tally', () => {
  it('counts like a map of every pseudonym, through many resizes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 3000 }), (draws) => {
        const pool = Array.from({ length: 301 }, pseudonym);
        const tally = new PseudonymTally();
        const expected = new Map<number, number>();
        for (const draw of draws) {
          tally.add(pool[draw] as Pseudonym);
          expected.set(draw, (expected.get(draw) ?? 0) + 1);
        }
        expect(tally.size).toBe(expected.size);
        pool.forEach((item, index) => expect(tally.count(item)).toBe(expected.get(index) ?? 0));
      }),
      { numRuns: 30 },
    );
  });

  it('counts like a map through adds and removes, keeping every probe run reachable (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 120 })), { maxLength: 3000 }), (steps) => {
        const pool = Array.from({ length: 121 }, pseudonym);
        const tally = new PseudonymTally();
        const expected = new Map<number, number>();
        for (const [adding, draw] of steps) {
          const item = pool[draw] as Pseudonym;
          const had = expected.get(draw) ?? 0;
          if (adding) {
            tally.add(item);
            expected.set(draw, had + 1);
          } else {
            expect(tally.remove(item)).toBe(had > 0);
            if (had > 1) expected.set(draw, had - 1);
            else expected.delete(draw);
          }
        }
        expect(tally.size).toBe(expected.size);
        pool.forEach((item, index) => expect(tally.count(item)).toBe(expected.get(index) ?? 0));
      }),
      { numRuns: 40 },
    );
  });

  it('removes a key from the middle of a probe run without losing the keys after it', () => {
    const tally = new PseudonymTally();
    // Same home slot: equal low words, high words whose multiples agree in the low 10 bits.
    const colliding = [0, 1024, 2048, 3072].map((high) => {
      const item = new Uint8Array(16) as Pseudonym;
      new DataView(item.buffer).setUint32(0, high);
      return item;
    });
    for (const item of colliding) tally.add(item);
    expect(tally.remove(colliding[1] as Pseudonym)).toBe(true);
    expect(colliding.map((item) => tally.count(item))).toEqual([1, 0, 1, 1]);
    expect(tally.remove(colliding[1] as Pseudonym)).toBe(false);
    expect(tally.size).toBe(3);
  });

  it('tells apart pseudonyms whose first 8 bytes are all zero, or differ in one bit', () => {
    const tally = new PseudonymTally();
    const zero = new Uint8Array(16) as Pseudonym;
    const oneBit = new Uint8Array(16) as Pseudonym;
    oneBit[7] = 1;
    tally.add(zero);
    tally.add(zero);
    tally.add(oneBit);
    expect([tally.count(zero), tally.count(oneBit), tally.size]).toEqual([2, 1, 2]);
  });
});

describe('the prior-contact counter', () => {
  it('counts each pseudonym only under its own month, and forgets months before one', () => {
    const counter = new PriorContactCounter();
    const january = asMonthEpoch('2026-01');
    const february = asMonthEpoch('2026-02');
    const caller = pseudonym();
    counter.add(january, caller);
    counter.add(february, caller);
    expect(counter.count([{ epoch: january, pseudonym: caller }])).toBe(1);
    expect(counter.count([{ epoch: january, pseudonym: caller }, { epoch: february, pseudonym: caller }])).toBe(2);
    counter.forgetEpochsBefore(february);
    expect(counter.count([{ epoch: january, pseudonym: caller }, { epoch: february, pseudonym: caller }])).toBe(1);
  });

  it('forgets an erased contact under its own month only', () => {
    const counter = new PriorContactCounter();
    const january = asMonthEpoch('2026-01');
    const february = asMonthEpoch('2026-02');
    const caller = pseudonym();
    counter.add(january, caller);
    counter.add(january, caller);
    counter.add(february, caller);
    expect(counter.remove(february, pseudonym())).toBe(false);
    expect(counter.remove(january, caller)).toBe(true);
    expect(counter.count([{ epoch: january, pseudonym: caller }, { epoch: february, pseudonym: caller }])).toBe(2);
    expect(counter.remove(february, caller)).toBe(true);
    expect(counter.sizes()).toEqual({ '2026-01': 1 });
  });

  it('loads from the store what the desk built up, so a restart shows the same counts', () => {
    fixture = deskFixture(new Date('2026-01-10T12:00:00Z'));
    const desk = fixture;
    for (let i = 0; i < 40; i++) desk.call(`06${String(40_000_000 + (i % 7))}`);
    desk.clock.set(new Date('2026-02-10T12:00:00Z'));
    for (let i = 0; i < 9; i++) desk.call(`06${String(40_000_000 + (i % 3))}`);
    desk.call('P');
    const reloaded = PriorContactCounter.load(desk.contacts);
    expect(reloaded.sizes()).toEqual(desk.priorContacts.sizes());
    expect(reloaded.sizes()).toEqual({ '2026-01': 7, '2026-02': 3 });
    const row = desk.contacts.findById(1);
    if (!row?.pseudonym || !row.linkEpoch) throw new Error('expected a linked contact');
    const candidate = [{ epoch: row.linkEpoch, pseudonym: row.pseudonym }];
    expect(reloaded.count(candidate)).toBe(desk.priorContacts.count(candidate));
    expect(reloaded.count(candidate)).toBe(desk.contacts.findByLinkedPseudonyms(candidate).length);
  });
});
