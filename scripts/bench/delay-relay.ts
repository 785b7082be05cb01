/**
 * A TCP relay to 127.0.0.1:<target port> that delays every chunk by half a round trip each way,
 * to emulate a WAN link on one machine (loopback only). Run as its own process by the outbox
 * replay bench, so its timers do not share an event loop with the box being measured. Prints the
 * port it listens on, then relays until killed.
 *
 *   node --import tsx scripts/bench/delay-relay.ts <target port> <round trip ms>
 */
import net, { type AddressInfo } from 'node:net';

const targetPort = Number(process.argv[2]);
const delayMs = Number(process.argv[3]) / 2;
if (!Number.isInteger(targetPort) || !(delayMs >= 0)) throw new TypeError('usage: delay-relay.ts <target port> <round trip ms>');

const server = net.createServer((client) => {
  const broker = net.connect(targetPort, '127.0.0.1');
  for (const [from, to] of [[client, broker], [broker, client]] as const) {
    from.setNoDelay(true);
    from.on('error', () => undefined);
    // Equal delays fire in the order they were set, so each byte stream keeps its order.
    from.on('data', (chunk: Buffer) => void setTimeout(() => to.destroyed || to.write(chunk), delayMs));
    from.on('close', () => void setTimeout(() => to.destroy(), delayMs));
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
