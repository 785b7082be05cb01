/** The one export of firmata-io the box uses (the package ships no types). */
declare module 'firmata-io' {
  import type { EventEmitter } from 'node:events';

  /** Firmata over a transport instance the caller opened (a serialport SerialPort). */
  class Firmata extends EventEmitter {
    constructor(transport: object, options?: { reportVersionTimeout?: number; samplingInterval?: number });
    readonly MODES: Readonly<Record<string, number>>;
    readonly isReady: boolean;
  }

  const firmataIo: { readonly Firmata: typeof Firmata };
  export default firmataIo;
}
