import type { LedModes } from './panel.js';

/**
 * What the box is doing, as far as the LEDs tell it. Filled by main.ts from the line, the desk,
 * the upstream, the fault register, the incident register and the maintenance mode.
 */
export interface BoxState {
  /** starting: services are coming up; running; stopping: on the way down. */
  readonly lifecycle: 'starting' | 'running' | 'stopping';
  readonly maintenance: boolean;
  /** down: modem unplugged or SIP endpoint not listening; idle: up, nothing going on; busy: a call ringing or live. */
  readonly line: 'down' | 'idle' | 'busy';
  readonly upstream: { readonly connected: boolean; readonly waiting: number };
  /** A fault that stops intake (disk full, store unwritable, keyring unusable or zeroized). */
  readonly intakeStopped: boolean;
  /** Open incidents of a security kind (tamper, integrity) a coordinator must look at. */
  readonly openSecurityIncidents: number;
  /**
   * The clock is behind the last closed statistics period (HGW_CLOCK_BEHIND): contacts are taken,
   * but no period closes until someone sets the clock right. Absent: false.
   */
  readonly clockBehind?: boolean;
}

/**
 * The four LEDs for a state: the table of docs/panel.md and hardware/panel.md, and its test. Where
 * two meanings meet, the more urgent wins: a fault that stops intake (fault on) over an open
 * security incident (fault blinking fast) over a clock behind (fault blinking slowly), maintenance
 * mode over plain running (ready blinking).
 */
export function ledModesFor(state: BoxState): LedModes {
  return {
    ready: state.lifecycle === 'stopping' ? 'off' : state.lifecycle === 'starting' || state.maintenance ? 'blink-slow' : 'on',
    line: state.line === 'down' ? 'off' : state.line === 'busy' ? 'blink-slow' : 'on',
    upstream: upstreamMode(state.upstream),
    fault: faultMode(state),
  };
}

function faultMode({ intakeStopped, openSecurityIncidents, clockBehind }: BoxState): LedModes['fault'] {
  if (intakeStopped) return 'on';
  if (openSecurityIncidents > 0) return 'blink-fast';
  return clockBehind === true ? 'blink-slow' : 'off';
}

function upstreamMode({ connected, waiting }: BoxState['upstream']): LedModes['upstream'] {
  if (connected) return waiting > 0 ? 'blink-slow' : 'on';
  return waiting > 0 ? 'blink-fast' : 'off';
}
