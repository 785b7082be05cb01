/**
 * Runs `work` over the items with at most `limit` at once, in order of start; the first failure
 * stops new items from starting and is thrown once the running ones have settled. Staging many
 * small files is bound by fsync, and several fsyncs in flight let the file system commit them
 * together (measured: scripts/bench/update-apply-bench.ts).
 */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
