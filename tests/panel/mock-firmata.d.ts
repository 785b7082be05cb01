/** mock-firmata ships no types: the io johnny-five's own tests use, an EventEmitter with Firmata's methods. */
declare module 'mock-firmata' {
  import type { EventEmitter } from 'node:events';

  class MockFirmata extends EventEmitter {
    constructor(options?: Record<string, unknown>);
    readonly MODES: Readonly<Record<string, number>>;
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: number): void;
    digitalRead(pin: number, callback: (value: number) => void): void;
  }

  const mockFirmata: { readonly Firmata: typeof MockFirmata };
  export default mockFirmata;
}
