import { parseList, readListDir } from '../src/verification/watchlist/list.ts'
import { WatchlistIndex } from '../src/verification/watchlist/watchlist-index.ts'
const parsed = parseList(readListDir('test/fixtures/ofac-small'))
console.log(parsed.entries.length, parsed.orphanAliases, parsed.orphanAddresses)
for (const e of parsed.entries) console.log(e.id, e.type, e.name, e.aliases, e.birthYears, e.birthDates, e.countryCodes)
const idx = new WatchlistIndex(parsed.entries)
for (const q of process.argv.slice(2)) console.log(q, idx.search({ name: q, minScore: 0.6, limit: 3 }).map((m) => `${m.entry.id} ${m.matchedName} ${m.score.toFixed(3)}`))
