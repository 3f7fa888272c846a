// Reads that arrive in one turn of the event loop, sent as one statement. Under load many requests
// each read one row of the same kind before their work (a card's facts before its authorization);
// a statement per row costs a round trip's worth of driver and server work each time, where one
// statement for all of them costs it once. A lone read waits only for the end of its turn.

/**
 * Returns a function that reads one key; the keys asked for in one turn of the event loop go to
 * `readMany` together, which answers each key's value (undefined when there is none) in a Map by
 * `id(key)`. A failure of the statement fails every read it carried.
 */
export function readCoalescer<K, V>(readMany: (keys: K[]) => Promise<Map<string, V>>, id: (key: K) => string): (key: K) => Promise<V | undefined> {
  let waiting: { key: K; resolve: (v: V | undefined) => void; reject: (err: unknown) => void }[] = []
  const flush = () => {
    const taken = waiting
    waiting = []
    // A readMany that throws instead of rejecting fails its reads all the same.
    Promise.resolve().then(() => readMany(taken.map((w) => w.key))).then(
      (found) => { for (const w of taken) w.resolve(found.get(id(w.key))) },
      (err) => { for (const w of taken) w.reject(err) },
    )
  }
  return (key) => new Promise((resolve, reject) => {
    if (waiting.length === 0) setImmediate(flush)
    waiting.push({ key, resolve, reject })
  })
}
