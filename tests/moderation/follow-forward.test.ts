import { afterEach, describe, expect, it } from 'vitest';
import { ModerationRepository } from '../../src/store/moderation-repository.js';
import { at, CALLER, COORDINATOR, moderationFixture, REASON, STATION, valueOf, type ModerationFixture } from './moderation-fixture.js';

let fixture: ModerationFixture | undefined;

function open(start: string): ModerationFixture {
  fixture = moderationFixture(start);
  return fixture;
}

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function keyMonths(f: ModerationFixture): string[] {
  return new ModerationRepository(f.database).allKeys().map((key) => key.epoch);
}

describe('moderation follows the caller', () => {
  it('into a month whose link key did not exist when the Time Out was given', () => {
    const f = open('2026-01-31T22:00:00+01:00');
    const { until } = f.timeOutAt(at('2026-01-31T22:00:00+01:00'));
    expect(keyMonths(f)).toEqual(['2026-01']);
    f.clock.set(at('2026-02-01T09:00:00+01:00'));
    expect(f.offer(CALLER).view.moderation).toEqual({ kind: 'time-out', until });
    expect(keyMonths(f)).toEqual(['2026-01', '2026-02']);
  });

  it('counts Time Outs of earlier months towards a block given in a later one', () => {
    const f = open('2026-01-10T10:00:00+01:00');
    f.timeOutAt(at('2026-01-10T10:00:00+01:00'));
    f.timeOutAt(at('2026-02-10T10:00:00+01:00'));
    f.clock.set(at('2026-03-10T10:00:00+01:00'));
    const march = f.offer(CALLER);
    valueOf(f.moderation.giveTimeOut(STATION, march.reference));
    expect(valueOf(f.moderation.block(COORDINATOR, march.reference, REASON))).toMatchObject({ timeOutsInWindow: 3, until: at('2026-06-10T10:00:00+02:00') });
    expect(keyMonths(f)).toEqual(['2026-01', '2026-02', '2026-03']);
  });

  it('keeps a block in force into later months as long as the caller calls, and ends it on time', () => {
    const f = open('2026-04-01T10:00:00+02:00');
    for (const day of ['01', '02', '03']) f.timeOutAt(at(`2026-04-${day}T10:00:00+02:00`));
    const blockContact = f.offer(CALLER);
    const { until } = valueOf(f.moderation.block(COORDINATOR, blockContact.reference, REASON));
    for (const month of ['05', '06']) {
      f.clock.set(at(`2026-${month}-15T10:00:00+02:00`));
      expect(f.offer(CALLER).view.moderation).toEqual({ kind: 'blocked', until });
    }
    f.clock.set(at('2026-07-03T10:00:00+02:00'));
    expect(f.offer(CALLER).view.moderation).toBeNull();
  });

  it('joins two moderated callers that turn out to be one', () => {
    // 23:50 on 31 January and 00:10 on 1 February: two months, two pairs, and Time Outs on both
    // before a later call shows they belong to the same caller.
    const f = open('2026-01-31T23:50:00+01:00');
    const january = f.offer(CALLER);
    f.clock.set(at('2026-02-01T00:10:00+01:00'));
    const february = f.offer(CALLER);
    january.end();
    valueOf(f.moderation.giveTimeOut(STATION, january.reference));
    valueOf(f.moderation.giveTimeOut(STATION, february.reference));
    const repository = new ModerationRepository(f.database);
    expect(repository.counts().callers).toBe(2);

    f.clock.set(at('2026-02-01T12:00:00+01:00'));
    const later = f.offer(CALLER);
    expect(later.view.moderation?.kind).toBe('time-out');
    expect(repository.counts()).toMatchObject({ callers: 1, keys: 2, moderations: 2 });
    expect(valueOf(f.moderation.overview(COORDINATOR)).callers).toEqual([expect.objectContaining({ timeOutsInWindow: 2 })]);
  });

  it('stops counting Time Outs given in a month that left the linkage window', () => {
    const f = open('2026-01-10T10:00:00+01:00');
    f.timeOutAt(at('2026-01-10T10:00:00+01:00'));
    f.timeOutAt(at('2026-02-10T10:00:00+01:00'));
    f.clock.set(at('2026-07-10T10:00:00+02:00'));
    const july = f.offer(CALLER);
    valueOf(f.moderation.giveTimeOut(STATION, july.reference));
    // Window at July: February to July. January's Time Out no longer counts.
    expect(f.moderation.block(COORDINATOR, july.reference, REASON)).toMatchObject({ ok: false, refusal: 'too-few-time-outs', message: expect.stringMatching(/had 2 /) });
  });

  it('ends with the linkage window when the caller stays away: the sweeper unlinks the month and nothing is left', async () => {
    const f = open('2026-02-10T10:00:00+01:00');
    f.timeOutAt(at('2026-02-10T10:00:00+01:00'));
    const repository = new ModerationRepository(f.database);
    expect(repository.counts()).toMatchObject({ callers: 1, keys: 1, moderations: 1 });
    f.clock.set(at('2026-08-20T10:00:00+02:00'));
    await f.sweeper.sweep();
    expect(f.keyring.linkEpochs()).not.toContain('2026-02');
    expect(repository.counts()).toEqual({ callers: 0, keys: 0, moderations: 0, marks: 0 });
    expect(f.moderation.callerCount).toBe(0);
    expect(f.offer(CALLER).view.moderation).toBeNull();
  });

  it('keeps what still counts when the sweeper unlinks an older month, and drops what does not', async () => {
    const f = open('2026-02-10T10:00:00+01:00');
    f.timeOutAt(at('2026-02-10T10:00:00+01:00'));
    f.timeOutAt(at('2026-04-10T10:00:00+02:00'));
    f.clock.set(at('2026-07-05T10:00:00+02:00'));
    f.offer(CALLER);
    expect(keyMonths(f)).toEqual(['2026-02', '2026-04', '2026-07']);
    f.clock.set(at('2026-08-20T10:00:00+02:00'));
    await f.sweeper.sweep();
    expect(keyMonths(f)).toEqual(['2026-04', '2026-07']);
    expect(new ModerationRepository(f.database).allModerations().map((row) => row.givenEpoch)).toEqual(['2026-04']);
    expect(valueOf(f.moderation.overview(COORDINATOR)).callers).toEqual([expect.objectContaining({ timeOutsInWindow: 1 })]);
  });
});
