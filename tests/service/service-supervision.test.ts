import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { ServiceSupervision, statusText } from '../../src/service/index.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { RecordingSink } from './recording-sink.js';

function supervised(watchdogIntervalMs: number | undefined): { sink: RecordingSink; scheduler: ManualScheduler; supervision: ServiceSupervision } {
  const sink = new RecordingSink();
  const scheduler = new ManualScheduler(0);
  return { sink, scheduler, supervision: new ServiceSupervision({ sink, watchdogIntervalMs, scheduler, logger: silentLogger() }) };
}

describe('the service supervision (sd_notify)', () => {
  it('says STATUS while starting, READY=1 once ready, then pings WATCHDOG=1 every interval from the timer', () => {
    const { sink, scheduler, supervision } = supervised(15_000);
    supervision.starting('starting: loading the index');
    expect(sink.datagrams).toEqual([['STATUS=starting: loading the index']]);
    supervision.ready({ status: () => 'running', alive: () => true });
    expect(sink.datagrams[1]).toEqual(['READY=1', 'STATUS=running']);
    expect(sink.datagrams[2]).toEqual(['WATCHDOG=1']);
    scheduler.advance(14_999);
    expect(sink.count('WATCHDOG=1')).toBe(1);
    scheduler.advance(1);
    expect(sink.count('WATCHDOG=1')).toBe(2);
    scheduler.advance(60_000);
    expect(sink.count('WATCHDOG=1')).toBe(6);
  });

  it('sends STATUS= only when the text changed', () => {
    const { sink, scheduler, supervision } = supervised(1000);
    let upstream = 'not connected';
    supervision.ready({ status: () => `running; upstream ${upstream}`, alive: () => true });
    scheduler.advance(3000);
    expect(sink.assignments.filter((item) => item.startsWith('STATUS='))).toEqual(['STATUS=running; upstream not connected']);
    upstream = 'connected';
    scheduler.advance(1000);
    expect(sink.datagrams.at(-1)).toEqual(['WATCHDOG=1', 'STATUS=running; upstream connected']);
  });

  it('withholds the pings while the health check fails, so systemd restarts a wedged box, and resumes after', () => {
    const { sink, scheduler, supervision } = supervised(1000);
    let alive = true;
    supervision.ready({ status: () => 'running', alive: () => alive });
    scheduler.advance(2000);
    const before = sink.count('WATCHDOG=1');
    alive = false;
    scheduler.advance(10_000);
    expect(sink.count('WATCHDOG=1')).toBe(before);
    expect(sink.assignments).toContain('STATUS=health check failing: watchdog pings withheld');
    alive = true;
    scheduler.advance(1000);
    expect(sink.count('WATCHDOG=1')).toBe(before + 1);
    expect(sink.datagrams.at(-1)).toEqual(['WATCHDOG=1', 'STATUS=running']);
  });

  it('treats a health check that throws as failing', () => {
    const { sink, scheduler, supervision } = supervised(1000);
    supervision.ready({ status: () => 'running', alive: () => { throw new Error('store gone'); } });
    scheduler.advance(5000);
    expect(sink.count('WATCHDOG=1')).toBe(0);
    expect(sink.count('READY=1')).toBe(1);
  });

  it('sends STOPPING=1, stops pinging and closes the sink', async () => {
    const { sink, scheduler, supervision } = supervised(1000);
    supervision.ready({ status: () => 'running', alive: () => true });
    await supervision.stop();
    expect(sink.datagrams.at(-1)).toEqual(['STOPPING=1', 'STATUS=stopping']);
    expect(sink.closed).toBe(true);
    expect(scheduler.pending).toBe(0);
    scheduler.advance(10_000);
    await supervision.stop();
    expect(sink.count('STOPPING=1')).toBe(1);
  });

  it('pings nothing when the unit has no WatchdogSec', () => {
    const { sink, scheduler, supervision } = supervised(undefined);
    supervision.ready({ status: () => 'running', alive: () => true });
    scheduler.advance(120_000);
    expect(sink.datagrams).toEqual([['READY=1', 'STATUS=running']]);
  });

  it('keeps STATUS to one short line', () => {
    expect(statusText('running\nREADY=1')).toBe('running READY=1');
    expect(statusText('x'.repeat(500))).toHaveLength(200);
  });
});
