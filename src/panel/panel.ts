/**
 * The front panel as the rest of the box sees it: four LEDs, the maintenance button and the tamper
 * switch, whatever drives them (a Firmata board on USB serial, a Raspberry Pi GPIO io plugin, or
 * the fake of the tests and the demo). docs/panel.md says what each LED mode means.
 */

export const LED_NAMES = ['ready', 'line', 'upstream', 'fault'] as const;
export type LedName = (typeof LED_NAMES)[number];

/** Steady off or on, or blinking at 1 Hz (slow) or 4 Hz (fast). */
export const LED_MODES = ['off', 'on', 'blink-slow', 'blink-fast'] as const;
export type LedMode = (typeof LED_MODES)[number];

export type LedModes = Readonly<Record<LedName, LedMode>>;

/** connecting: not reached yet since start; connected; lost: was reachable (or never came) and is not now. */
export type PanelConnection = 'connecting' | 'connected' | 'lost';

export interface PanelEvents {
  /** The maintenance button was held for at least the long-press time (3 s). */
  'long-press': [];
  /** The tamper input read "open" (lid off, or wire cut) for at least the debounce time. */
  'tamper': [];
  /** The tamper input read "closed" again for at least the debounce time after a tamper. */
  'tamper-cleared': [];
  /** The panel board stopped answering (unplugged, port error) or could not be reached at start. */
  'lost': [reason: string];
  /** The panel board answers (again). */
  'found': [];
}

export interface Panel {
  readonly kind: 'firmata' | 'fake';
  start(): Promise<void>;
  /** Turns every LED off where it still can, stops blinking and reconnecting. */
  stop(): Promise<void>;
  setLed(led: LedName, mode: LedMode): void;
  leds(): LedModes;
  connection(): PanelConnection;
  on<K extends keyof PanelEvents>(event: K, listener: (...args: PanelEvents[K]) => void): () => void;
}

export function allLeds(mode: LedMode): Record<LedName, LedMode> {
  return { ready: mode, line: mode, upstream: mode, fault: mode };
}
