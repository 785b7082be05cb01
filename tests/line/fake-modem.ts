import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-cpp';
import { SerialPortMock } from 'serialport';

/**
 * @serialport/binding-mock's MockBinding, reached through serialport: the package's ESM entry has
 * no type declarations under NodeNext resolution.
 */
export const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

export type ModemAnswer = 'OK' | 'ERROR' | 'silent';

/**
 * A caller-ID modem on MockBinding: answers AT commands (by watching lastWrite after each write),
 * prints lines on request, and can vanish like an unplugged USB modem.
 */
export class FakeModem {
  readonly path: string;
  /** The commands received, in order, without their CR. */
  readonly commands: string[] = [];
  /** How each command is answered; OK when not listed. */
  readonly answers = new Map<string, ModemAnswer>();
  readonly binding: BindingInterface;
  /** Fail port.set() like a pty does. */
  failSet = false;
  opens = 0;
  #present = true;
  #port: MockPortBinding | undefined;
  readonly #pendingReads = new Set<(error: Error) => void>();

  constructor(path: string) {
    this.path = path;
    MockBinding.createPort(path, { echo: false, record: true });
    this.binding = {
      list: (): Promise<PortInfo[]> => MockBinding.list(),
      open: async (options: OpenOptions): Promise<MockPortBinding> => {
        if (!this.#present) throw Object.assign(new Error('No such file or directory, cannot open'), { code: 'ENOENT' });
        const port = await MockBinding.open(options);
        this.#attach(port);
        return port;
      },
    };
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  /** Prints a line as the modem would, CR LF terminated. */
  print(...lines: string[]): void {
    if (!this.#port?.isOpen) throw new Error('the fake modem is not open');
    this.#port.emitData(Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'latin1'));
  }

  printBytes(bytes: Buffer): void {
    if (!this.#port?.isOpen) throw new Error('the fake modem is not open');
    this.#port.emitData(bytes);
  }

  /** Unplugged: reads fail (as a vanished tty's do) and opening fails until replugged. */
  vanish(): void {
    this.#present = false;
    for (const fail of this.#pendingReads) fail(new Error('device disconnected'));
    this.#pendingReads.clear();
  }

  replug(): void {
    this.#present = true;
  }

  #attach(port: MockPortBinding): void {
    this.opens += 1;
    this.#port = port;
    const write = port.write.bind(port);
    port.write = async (buffer: Buffer): Promise<void> => {
      await write(buffer);
      this.#answer(port);
    };
    const read = port.read.bind(port);
    port.read = (buffer: Buffer, offset: number, length: number) =>
      new Promise((resolve, reject) => {
        if (!this.#present) {
          reject(new Error('device disconnected'));
          return;
        }
        this.#pendingReads.add(reject);
        read(buffer, offset, length).then(resolve, reject).finally(() => this.#pendingReads.delete(reject));
      });
    const set = port.set.bind(port);
    port.set = async (options) => {
      if (this.failSet) throw new Error('Operation not supported');
      return set(options);
    };
  }

  #answer(port: MockPortBinding): void {
    const written = port.lastWrite?.toString('latin1') ?? '';
    for (const command of written.split('\r').filter((text) => text.trim() !== '')) {
      this.commands.push(command);
      const answer = this.answers.get(command) ?? 'OK';
      if (answer !== 'silent' && port.isOpen) port.emitData(`\r\n${answer}\r\n`);
    }
  }
}
