/**
 * Polls a condition that depends on real I/O (a broker, a socket, a child process, a datagram, a
 * database query) and gives up after `timeoutMs`. It waits on I/O, never on a test clock. The limit
 * is generous because a loaded two-core CI run is slow; a real failure only reports later.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what = 'the condition', timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
