import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { protectTable } from './protect-table.js';
import { CryptoRandomBits } from './random-source.js';
import type { ProtectionReply, ProtectionRequest } from './table-protector.js';

/**
 * The disclosure control's thread (table-protector.ts starts it): one table at a time, answered
 * in order. The noise draws its coins from node:crypto here, in the worker.
 */
const port = parentPort;
if (!port) throw new Error('table-protection-worker runs only as a worker thread');
const random = new CryptoRandomBits();

/**
 * Statistics can wait; calls, RTP and chats on the event loop cannot. On Linux the nice value is
 * per thread (a new one starts with its creator's), so this lowers the priority of this thread
 * only, and the event loop wins the CPU when both want it. Elsewhere it would be the whole
 * process's: left alone there.
 */
const BACKGROUND_NICENESS = 10;
const LOWEST_PRIORITY = 19;
if (process.platform === 'linux') setPriority(Math.min(LOWEST_PRIORITY, getPriority() + BACKGROUND_NICENESS));

port.on('message', (request: ProtectionRequest) => {
  let reply: ProtectionReply;
  try {
    const noise = request.noise ? { ...request.noise, random } : undefined;
    reply = { id: request.id, table: protectTable(request.dimensions, request.cells, request.settings, noise) };
  } catch (error) {
    // A table of counts has nothing identifying in it; the message says which check failed.
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
