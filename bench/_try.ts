import { parseList, readListDir, bundledListDir } from '../src/verification/watchlist/list.ts'
import { WatchlistIndex } from '../src/verification/watchlist/watchlist-index.ts'
let t = performance.now()
const parsed = parseList(readListDir(bundledListDir))
console.log('parse', performance.now() - t, parsed.entries.length, parsed.orphanAliases, parsed.orphanAddresses)
t = performance.now()
const idx = new WatchlistIndex(parsed.entries)
console.log('index', performance.now() - t, idx.size)
for (const q of process.argv.slice(2)) {
  const t0 = performance.now()
  const r = idx.search({ name: q, minScore: 0.7, limit: 5 })
  console.log(q, (performance.now() - t0).toFixed(3), r.map((m) => `${m.entry.id} ${m.matchedName} ${m.score.toFixed(3)}`))
}
