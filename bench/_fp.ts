import { parseList, readListDir, bundledListDir } from '../src/verification/watchlist/list.ts'
import { WatchlistIndex } from '../src/verification/watchlist/watchlist-index.ts'
const idx = new WatchlistIndex(parseList(readListDir(bundledListDir)).entries)
const first = 'James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa Matthew Betty Anthony Margaret Mark Sandra Jose Maria Juan Carlos Luis Ana Mohammed Ahmed Ali Fatima Wei Li Ivan Olga Sergei Elena Omar Hassan Kim Nguyen'.split(' ')
const last = 'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Khan Ali Hussein Ivanov Petrov Kim Park Chen Wang Rahman'.split(' ')
let hits = 0, hitsNoCtx = 0, n = 0
const examples: string[] = []
for (const f of first) for (const l of last) {
  n++
  const name = `${f} ${l}`
  const dob = `19${String(50 + (n % 50)).padStart(2, '0')}-0${1 + (n % 9)}-1${n % 10}`
  const r = idx.search({ name, kind: 'person', dob, countryCode: 'US' })
  const r2 = idx.search({ name, kind: 'person' })
  if (r.length) { hits++; if (examples.length < 15) examples.push(`${name} -> ${r[0].entry.name} ${r[0].score.toFixed(3)}`) }
  if (r2.length) hitsNoCtx++
}
console.log({ n, hits, hitsNoCtx }); console.log(examples.join('\n'))
