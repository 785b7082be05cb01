import { SMTPServer } from 'smtp-server';

/**
 * The demo's stand-in for the site's mail relay: takes every confirmation and answer the box sends
 * and reports only that one went out and how big it was (never its address or text), as the
 * embedded MQTT broker stands in for the central office.
 */
export class DemoMailRelay {
  readonly #server: SMTPServer;
  #port = 0;

  constructor(onMail: (bytes: number) => void) {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        let bytes = 0;
        stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
        stream.on('end', () => {
          onMail(bytes);
          callback();
        });
      },
    });
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
