// Screening indexes kept on disk (index-cache.ts): a restored index answers as the built one, and a
// kept file is used only when it is whole and made under the same key.
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import { after, before, describe, it } from 'node:test'
import { cachedIndex, indexCachePath, readCachedIndex, writeCachedIndex } from './index-cache.js'
import { bundledListDir, parseList, readListDir, type WatchlistEntry } from './list.js'
import { WatchlistIndex, type ScreeningQuery } from './watchlist-index.js'

const queries: ScreeningQuery[] = [
  { name: 'BANCO NACIONAL DE CUBA' },
  { name: 'Joaquin Guzman Loera' },
  { name: 'Usama Binladen' },
  { name: 'Osamma bin Ladin', minScore: 0.5 },
  { name: 'Дмитрий Козак', kind: 'person' },
  { name: 'Hassan Nasrallah', dob: '1960-08-31', countryCode: 'LB' },
  { name: 'Danial Morreno', countryCode: 'US', minScore: 0 },
  { name: 'Springfield Bakery', kind: 'business', minScore: 0.6 },
]

/** What a search answers, as data: entry, listed name and both scores of every match. */
const answers = (index: WatchlistIndex) => queries.map((q) => index.search(q).map((m) => [m.entry.id, m.matchedName, m.score, m.nameScore]))

let entries: WatchlistEntry[]
let dir: string
before(() => {
  entries = parseList(readListDir(bundledListDir)).entries
  dir = mkdtempSync(join(tmpdir(), 'keel-index-cache-'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

describe('a restored index', () => {
  it('answers every search as the index it was made from, on the whole bundled list', () => {
    const built = new WatchlistIndex(entries)
    const restored = WatchlistIndex.restore(deserialize(serialize(built.parts())))
    assert.deepEqual(restored.size, built.size)
    const expected = answers(built)
    assert.ok(expected.filter((a) => a.length > 0).length >= 6, 'the queries find matches')
    assert.deepEqual(answers(restored), expected)
  })

  it('holds typed arrays with buffers of their own, as a built one does, not views into what was read', () => {
    const restored = WatchlistIndex.restore(deserialize(serialize(new WatchlistIndex(entries).parts())))
    const { entries: listed, variants, postings, blocks } = restored.parts()
    const arrays = [
      listed.ids, listed.types, listed.json.start,
      variants.entry, variants.tokenIds.start, variants.tokenIds.items, variants.names.start, variants.whole.start, variants.wholeNatural.start,
      postings.start, postings.items, blocks.keyStart, blocks.slots, blocks.lists.start, blocks.lists.items,
    ]
    const shared = arrays.filter((a) => a.buffer.byteLength !== a.byteLength)
    assert.equal(shared.length, 0, `${shared.length} typed arrays are views into a larger buffer`)
  })
})

describe('the kept index of a list version', () => {
  const some = () => entries.slice(0, 300)
  let builds = 0
  const build = () => { builds++; return new WatchlistIndex(some()) }

  it('is built and kept once, then read back without building', () => {
    builds = 0
    const first = cachedIndex('sha256:aaaa', build, dir)
    assert.equal(builds, 1)
    const second = cachedIndex('sha256:aaaa', build, dir)
    assert.equal(builds, 1, 'read back, not built')
    assert.notEqual(second, first)
    assert.deepEqual(answers(second), answers(first))
    assert.deepEqual(readdirSync(dir), [indexCachePath('sha256:aaaa', dir).slice(dir.length + 1)], 'one file, no temporary left')
  })

  it('is another file for another version, which replaces the files kept before it', () => {
    assert.notEqual(indexCachePath('sha256:aaaa', dir), indexCachePath('sha256:bbbb', dir))
    assert.equal(readCachedIndex('sha256:bbbb', dir), undefined)
    writeFileSync(join(dir, 'unrelated.bin'), 'kept')
    assert.ok(writeCachedIndex('sha256:bbbb', new WatchlistIndex(some()), dir))
    assert.deepEqual(readdirSync(dir).sort(), [indexCachePath('sha256:bbbb', dir).slice(dir.length + 1), 'unrelated.bin'].sort())
    assert.equal(readCachedIndex('sha256:aaaa', dir), undefined)
    assert.ok(readCachedIndex('sha256:bbbb', dir))
    builds = 0
    cachedIndex('sha256:aaaa', build, dir)
    assert.equal(builds, 1)
    rmSync(join(dir, 'unrelated.bin'))
  })

  it('is not used when its file was altered or cut short, and is then built and kept again', () => {
    const path = indexCachePath('sha256:aaaa', dir)
    const whole = readFileSync(path)
    const altered = Buffer.from(whole)
    altered[altered.length - 100] ^= 0xff
    writeFileSync(path, altered)
    assert.equal(readCachedIndex('sha256:aaaa', dir), undefined, 'altered')
    writeFileSync(path, whole.subarray(0, whole.length >> 1))
    assert.equal(readCachedIndex('sha256:aaaa', dir), undefined, 'cut short')
    writeFileSync(path, Buffer.alloc(0))
    assert.equal(readCachedIndex('sha256:aaaa', dir), undefined, 'empty')
    builds = 0
    cachedIndex('sha256:aaaa', build, dir)
    assert.equal(builds, 1)
    assert.ok(readCachedIndex('sha256:aaaa', dir), 'kept again')
  })

  it('is not used when it was made under another key (another version, index code or V8)', () => {
    // A whole file, checksum and all, whose payload names another key: as if this code had changed.
    const path = indexCachePath('sha256:aaaa', dir)
    const other = writeCachedIndex('sha256:cccc', new WatchlistIndex(some()), dir)
    assert.ok(other)
    writeFileSync(path, readFileSync(indexCachePath('sha256:cccc', dir)))
    assert.equal(readCachedIndex('sha256:aaaa', dir), undefined)
  })

  it('is built every time, and nothing is left behind, where its folder cannot be written', () => {
    const blocked = join(dir, 'a-file')
    writeFileSync(blocked, 'not a folder')
    const inside = join(blocked, 'cache')
    builds = 0
    cachedIndex('sha256:aaaa', build, inside)
    cachedIndex('sha256:aaaa', build, inside)
    assert.equal(builds, 2)
    assert.equal(writeCachedIndex('sha256:aaaa', new WatchlistIndex(some()), inside), false)
  })
})

describe('what an index holds', () => {
  it('is columns, not an object per entry or name: a full collection traces a handful of objects', () => {
    const index = new WatchlistIndex(entries)
    // Every object reachable from the parts, strings and numbers aside (each typed array counts one).
    let objects = 0
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return
      objects++
      if (ArrayBuffer.isView(v)) return
      if (Array.isArray(v)) { if (v.some((x) => typeof x !== 'string')) v.forEach(walk); return }
      Object.values(v).forEach(walk)
    }
    walk(index.parts())
    assert.ok(objects < 40, `${objects} objects`)
    assert.equal(index.size.entries, entries.length)
    assert.equal(index.size.names, 19_083)
  })

  it('reads back a matched entry whole, as the list has it', () => {
    const index = new WatchlistIndex(entries)
    const [match] = index.search({ name: 'BANCO NACIONAL DE CUBA' })
    const listed = entries.find((e) => e.id === match.entry.id)
    assert.ok(listed)
    assert.deepEqual(match.entry, JSON.parse(JSON.stringify(listed)))
    assert.equal(match.entry.name, 'BANCO NACIONAL DE CUBA')
    assert.ok(match.entry.aliases.length > 0 && match.entry.programs.length > 0)
  })
})
