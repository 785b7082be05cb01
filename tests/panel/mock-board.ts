import mockFirmata from 'mock-firmata';
import type { PanelIoHandle } from '../../src/panel/index.js';

/** A mock-firmata io that remembers what the panel wrote and hands out the read callbacks. */
export class RecordingIo extends mockFirmata.Firmata {
  readonly writes: [pin: number, value: number][] = [];
  readonly modes = new Map<number, number>();
  readonly readers = new Map<number, (value: number) => void>();
  closed = false;

  override pinMode(pin: number, mode: number): void {
    this.modes.set(pin, mode);
  }

  override digitalWrite(pin: number, value: number): void {
    this.writes.push([pin, value]);
  }

  override digitalRead(pin: number, callback: (value: number) => void): void {
    this.readers.set(pin, callback);
  }

  /** What the board reads on `pin`, as StandardFirmata would report it. */
  read(pin: number, value: number): void {
    const reader = this.readers.get(pin);
    if (!reader) throw new Error(`nothing reads pin ${pin}`);
    reader(value);
  }

  /** The last level written to `pin`. */
  level(pin: number): number | undefined {
    return this.writes.filter(([written]) => written === pin).at(-1)?.[1];
  }

  /** What johnny-five's own tests do to bring a mock board up. */
  bringUp(): void {
    this.emit('connect');
    this.emit('ready');
  }
}

/** An `open` for FirmataPanel that makes a fresh RecordingIo each time and keeps them all. */
export function mockBoards(): { open: () => PanelIoHandle; opened: RecordingIo[]; latest: () => RecordingIo } {
  const opened: RecordingIo[] = [];
  return {
    opened,
    open: () => {
      const io = new RecordingIo();
      opened.push(io);
      return { io, close: () => { io.closed = true; } };
    },
    latest: () => {
      const io = opened.at(-1);
      if (!io) throw new Error('no board opened yet');
      return io;
    },
  };
}
