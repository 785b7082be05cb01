import { describe, expect, it } from 'vitest';
import { FramePacer } from '../../src/media/frame-pacer.js';
import { ManualScheduler } from '../../src/time/index.js';

describe('frame pacer', () => {
  it('ticks every 20 ms from one interval after start until stop', () => {
    const scheduler = new ManualScheduler(0);
    const ticks: number[] = [];
    const pacer = new FramePacer(scheduler.clock, scheduler, () => ticks.push(scheduler.clock.now()));
    pacer.start();
    scheduler.advance(19);
    expect(ticks).toEqual([]);
    scheduler.advance(81);
    expect(ticks).toEqual([20, 40, 60, 80, 100]);
    pacer.stop();
    scheduler.advance(100);
    expect(ticks).toHaveLength(5);
    expect(scheduler.pending).toBe(0);
  });

  it('lets a tick stop the pacer', () => {
    const scheduler = new ManualScheduler(0);
    let count = 0;
    const pacer = new FramePacer(scheduler.clock, scheduler, () => {
      if (++count === 3) pacer.stop();
    });
    pacer.start();
    scheduler.advance(1000);
    expect(count).toBe(3);
    expect(pacer.running).toBe(false);
  });

  it('skips ahead after a long stall instead of bursting the missed frames', () => {
    const scheduler = new ManualScheduler(0);
    const ticks: number[] = [];
    const pacer = new FramePacer(scheduler.clock, scheduler, () => ticks.push(scheduler.clock.now()));
    pacer.start();
    scheduler.advance(20);
    // The event loop was blocked for a second: the clock moved, no timer ran.
    scheduler.clock.advance(1000);
    scheduler.advance(60);
    expect(ticks).toEqual([20, 1020, 1040, 1060, 1080]);
    pacer.stop();
  });
});
