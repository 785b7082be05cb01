/// <reference path="./firmata-io.d.ts" />
import firmataIo from 'firmata-io';
import { SerialPort } from 'serialport';
import type { PanelIoHandle } from './firmata-panel.js';

export interface SerialFirmataOptions {
  /** The board's stable udev name, e.g. /dev/helpline-panel. */
  readonly path: string;
  /** StandardFirmata's rate: 57600. */
  readonly baudRate: number;
}

/**
 * Opens the panel board as firmata-io's Firmata over a serialport 13 SerialPort the box opened
 * itself, so johnny-five never loads its own old serialport. Each call opens the port anew (a
 * board plugged back in is a new device).
 */
export function serialFirmata(options: SerialFirmataOptions): () => PanelIoHandle {
  return () => {
    const port = new SerialPort({ path: options.path, baudRate: options.baudRate });
    const io = new firmataIo.Firmata(port);
    return {
      io,
      close: () => {
        port.removeAllListeners('data');
        if (port.isOpen) port.close(() => undefined);
      },
    };
  };
}
