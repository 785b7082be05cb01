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
