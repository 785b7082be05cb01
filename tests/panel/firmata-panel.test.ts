import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { DEFAULT_PANEL_PINS, FirmataPanel, type LedMode, type LedName } from '../../src/panel/index.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { mockBoards, type RecordingIo } from './mock-board.js';

const PINS = DEFAULT_PANEL_PINS;
let panel: FirmataPanel | undefined;

afterEach(async () => {
  await panel?.stop();
  panel = undefined;
});

function startPanel() {
  const scheduler = new ManualScheduler(new Date('2026-03-02T09:00:00Z'));
  const boards = mockBoards();
  panel = new FirmataPanel({ open: boards.open, scheduler, logger: silentLogger() });
  const events: string[] = [];
  panel.on('long-press', () => events.push('long-press'));
  panel.on('tamper', () => events.push('tamper'));
  panel.on('tamper-cleared', () => events.push('tamper-cleared'));
  panel.on('lost', () => events.push('lost'));
  panel.on('found', () => events.push('found'));
  return { panel, scheduler, boards, events };
}

/** The levels a pin had at every step of `steps` ticks of `stepMs`. */
function levelsOver(io: RecordingIo, scheduler: ManualScheduler, pin: number, steps: number, stepMs: number): (number | undefined)[] {
  const levels: (number | undefined)[] = [];
  for (let step = 0; step < steps; step++) {
    levels.push(io.level(pin));
    scheduler.advance(stepMs);
  }
  return levels;
}

describe('FirmataPanel on johnny-five with a mock-firmata io', () => {
  it('sets the LED pins as outputs, the inputs with pull-ups, and shows every LED dark at first', async () => {
    const { panel, boards, events } = startPanel();
    await panel.start();
    expect(panel.connection()).toBe('connecting');
    const io = boards.latest();
    io.bringUp();
    expect(events).toEqual(['found']);
    expect(panel.connection()).toBe('connected');
    for (const pin of Object.values(PINS.leds)) {
      expect(io.modes.get(pin)).toBe(io.MODES['OUTPUT']);
      expect(io.level(pin)).toBe(0);
    }
    // mock-firmata knows no PULLUP mode: an input with a HIGH written to it, as on an Arduino.
    for (const pin of [PINS.button, PINS.tamper]) {
      expect(io.modes.get(pin)).toBe(io.MODES['INPUT']);
      expect(io.level(pin)).toBe(1);
    }
  });

  it.each<[LedName, LedMode, number[]]>([
    ['ready', 'on', [1, 1, 1, 1, 1, 1, 1, 1]],
    ['line', 'blink-slow', [1, 1, 1, 1, 0, 0, 0, 0]],
    ['upstream', 'blink-fast', [1, 0, 1, 0, 1, 0, 1, 0]],
    ['fault', 'off', [0, 0, 0, 0, 0, 0, 0, 0]],
  ])('drives %s %s on its own pin (levels every 125 ms)', async (led, mode, expected) => {
    const { panel, boards, scheduler } = startPanel();
    await panel.start();
    const io = boards.latest();
    io.bringUp();
    if (mode === 'off') panel.setLed(led, 'on');
    panel.setLed(led, mode);
    expect(panel.leds()[led]).toBe(mode);
    expect(levelsOver(io, scheduler, PINS.leds[led], 8, 125)).toEqual(expected);
    const others = Object.entries(PINS.leds).filter(([name]) => name !== led).map(([, pin]) => pin);
    for (const pin of others) expect(io.level(pin)).toBe(0);
  });

  it('fires a long press after the button is held 3 s, once, and not for a shorter press', async () => {
    const { panel, boards, scheduler, events } = startPanel();
    await panel.start();
    const io = boards.latest();
    io.bringUp();
    io.read(PINS.button, 0);
    scheduler.advance(2_000);
    io.read(PINS.button, 1);
    scheduler.advance(5_000);
    expect(events).toEqual(['found']);
    io.read(PINS.button, 0);
    scheduler.advance(2_999);
    expect(events).toEqual(['found']);
    scheduler.advance(1);
    expect(events).toEqual(['found', 'long-press']);
    scheduler.advance(10_000);
    io.read(PINS.button, 1);
    expect(events).toEqual(['found', 'long-press']);
  });

  it('debounces the tamper switch: chatter is one event, 200 ms of HIGH is tamper, 200 ms of LOW clears it', async () => {
    const { panel, boards, scheduler, events } = startPanel();
    await panel.start();
    const io = boards.latest();
    io.bringUp();
    io.read(PINS.tamper, 0);
    scheduler.advance(300);
    for (const level of [1, 0, 1, 0, 1]) {
      io.read(PINS.tamper, level);
      scheduler.advance(50);
    }
    expect(events).toEqual(['found']);
    scheduler.advance(149);
    expect(events).toEqual(['found']);
    scheduler.advance(1);
    expect(events).toEqual(['found', 'tamper']);
    io.read(PINS.tamper, 0);
    scheduler.advance(100);
    io.read(PINS.tamper, 1);
    scheduler.advance(1_000);
    expect(events).toEqual(['found', 'tamper']);
    io.read(PINS.tamper, 0);
    scheduler.advance(200);
    expect(events).toEqual(['found', 'tamper', 'tamper-cleared']);
  });

  it('reports a lid already open at start as tamper', async () => {
    const { panel, boards, scheduler, events } = startPanel();
    await panel.start();
    boards.latest().bringUp();
    boards.latest().read(PINS.tamper, 1);
    scheduler.advance(200);
    expect(events).toEqual(['found', 'tamper']);
  });

  it('says lost once when the board is unplugged, reopens it with backoff, and shows the LEDs again when it is back', async () => {
    const { panel, boards, scheduler, events } = startPanel();
    await panel.start();
    const first = boards.latest();
    first.bringUp();
    panel.setLed('fault', 'on');
    first.emit('disconnect');
    expect(events).toEqual(['found', 'lost']);
    expect(panel.connection()).toBe('lost');
    expect(first.closed).toBe(true);
    // Set while lost: shown once the board is back.
    panel.setLed('ready', 'on');
    scheduler.advance(1_000);
    expect(boards.opened).toHaveLength(2);
    const second = boards.latest();
    second.emit('error', new Error('cannot open /dev/helpline-panel'));
    expect(events).toEqual(['found', 'lost']);
    scheduler.advance(1_999);
    expect(boards.opened).toHaveLength(2);
    scheduler.advance(1);
    expect(boards.opened).toHaveLength(3);
    const third = boards.latest();
    third.bringUp();
    expect(events).toEqual(['found', 'lost', 'found']);
    expect(third.level(PINS.leds.fault)).toBe(1);
    expect(third.level(PINS.leds.ready)).toBe(1);
    expect(third.level(PINS.leds.line)).toBe(0);
    // Readings of the old board no longer count.
    first.read(PINS.button, 0);
    scheduler.advance(5_000);
    expect(events).toEqual(['found', 'lost', 'found']);
  });

  it('says lost when the board cannot be opened at all, or never answers', async () => {
    const scheduler = new ManualScheduler(0);
    let attempts = 0;
    const boards = mockBoards();
    panel = new FirmataPanel({
      open: () => {
        attempts += 1;
        if (attempts === 1) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        return boards.open();
      },
      scheduler,
      logger: silentLogger(),
      readyTimeoutMs: 5_000,
    });
    const reasons: string[] = [];
    panel.on('lost', (reason) => reasons.push(reason));
    await panel.start();
    expect(reasons).toEqual(['the panel board could not be opened (ENOENT)']);
    scheduler.advance(1_000);
    expect(attempts).toBe(2);
    scheduler.advance(5_000);
    expect(boards.latest().closed).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(panel.connection()).toBe('lost');
  });

  it('turns every LED off and stops reconnecting when stopped', async () => {
    const { panel: started, boards, scheduler } = startPanel();
    await started.start();
    const io = boards.latest();
    io.bringUp();
    started.setLed('ready', 'on');
    started.setLed('upstream', 'blink-fast');
    await started.stop();
    panel = undefined;
    for (const pin of Object.values(PINS.leds)) expect(io.level(pin)).toBe(0);
    expect(io.closed).toBe(true);
    expect(scheduler.pending).toBe(0);
  });
});
