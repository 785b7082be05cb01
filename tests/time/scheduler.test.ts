import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { ManualScheduler } from '../../src/time/scheduler.js';

describe('the manual scheduler', () => {
  it('runs due tasks in time order at their own time, ties in scheduling order, and tasks they schedule', () => {
    const scheduler = new ManualScheduler(new ManualClock(1_000));
    const ran: string[] = [];
    const note = (name: string) => () => ran.push(`${name}@${scheduler.clock.now()}`);
    scheduler.after(300, note('c'));
    scheduler.after(100, note('a'));
    scheduler.after(100, note('b'));
    scheduler.after(150, () => {
      ran.push(`d@${scheduler.clock.now()}`);
      scheduler.after(50, note('e'));
    });
    scheduler.advance(250);
    expect(ran).toEqual(['a@1100', 'b@1100', 'd@1150', 'e@1200']);
    expect(scheduler.clock.now()).toBe(1_250);
    expect(scheduler.pending).toBe(1);
  });

  it('never runs a cancelled task, and runs nothing before its time', () => {
    const scheduler = new ManualScheduler(0);
    const ran: number[] = [];
    const cancel = scheduler.after(10, () => ran.push(1));
    scheduler.after(20, () => ran.push(2));
    cancel();
    scheduler.advance(19);
    expect(ran).toEqual([]);
    scheduler.advance(1);
    expect(ran).toEqual([2]);
  });
});
