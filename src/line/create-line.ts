import { GatewayError } from '../errors.js';
import type { LineInterface } from './line-interface.js';
import { SerialModemLine, type SerialModemLineOptions } from './modem/serial-modem-line.js';
import { ReplayLine, type ReplayLineOptions } from './replay/replay-line.js';

export interface LineOptionsByKind {
  modem: SerialModemLineOptions;
  replay: ReplayLineOptions;
}

export type LineKind = keyof LineOptionsByKind;

export const LINE_KINDS: readonly LineKind[] = ['modem', 'replay'];

function isLineKind(kind: string): kind is LineKind {
  return (LINE_KINDS as readonly string[]).includes(kind);
}

/**
 * The line adapter for a configured kind. The kind usually comes from the config file, so an
 * unknown one is a GatewayError that lists the valid names.
 */
export function createLine<K extends LineKind>(kind: K, options: LineOptionsByKind[K]): LineInterface {
  const name: string = kind;
  if (!isLineKind(name)) {
    throw new GatewayError(
      'HGW_LINE_UNKNOWN',
      `unknown line kind ${JSON.stringify(name.slice(0, 40))}: expected one of ${LINE_KINDS.join(', ')}`,
    );
  }
  switch (name) {
    case 'modem':
      return new SerialModemLine(options as SerialModemLineOptions);
    case 'replay':
      return new ReplayLine(options as ReplayLineOptions);
  }
}
