// Work over many items, a few at a time: `lanes` items in flight at most, each lane taking the next
// item when its last is done, so one slow item (a gateway that waits out its time limit) holds up
// one lane, not the rest.

/**
 * Runs `work` on each item, at most `lanes` at once. A lane whose item fails takes no more; the
 * promise rejects with the first failure once every lane has stopped.
 */
export async function inLanes<T>(items: Iterable<T>, lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < queue.length) await work(queue[next++])
  }
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(lanes, queue.length)) }, lane))
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
  if (failed) throw failed.reason
}
