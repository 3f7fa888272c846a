// The in-memory screening index. Every listed name (primary and aliases) is normalised once at
// build time; a query is normalised, its tokens are looked up in three blocking tables (exact
// token, one-deletion variants for typos, phonetic key for spelling variants), and only the names
// that share enough blocks are scored in full. Scoring is exact; blocking only decides whom to score.
import { assert } from '../../platform/assert.js'
import { bestPairsScore, jaroWinkler, tokenSimilarity } from './jaro-winkler.js'
import type { EntityType, WatchlistEntry } from './list.js'
import { nameTokens, naturalOrder, phoneticKey } from './normalize.js'

/** Scores at or above this are reported as possible matches (0–1). See docs/verification.md. */
export const matchThreshold = 0.88
/** A verification hit at or above this is REJECTED; between matchThreshold and this, REVIEW. */
export const rejectThreshold = 0.95
/** A listed DOB that differs by more than this many years from the party's cuts the score. */
export const birthYearTolerance = 1
export const birthYearMismatchFactor = 0.8
/** Exact DOB agreement adds this (capped at 1). */
export const birthDateMatchBonus = 0.03
/** The party's country is not among the entry's countries: keep this share of the score. */
export const countryMismatchFactor = 0.95
/** Whole-name comparison (catches "ALHASSAN" vs "AL HASSAN") counts only from this similarity. */
export const wholeNameMin = 0.93
/** Only tokens this long get one-deletion variants: shorter ones differ in meaning with one letter. */
export const deletionTokenLengthMin = 4
/** Phonetic keys shorter than this block too broadly to be useful. */
export const phoneticKeyLengthMin = 3
/** Query tokens beyond this are ignored (the hit mask is a 32-bit integer). */
export const queryTokensMax = 16
/** At most this many names are scored per query (those sharing the most blocks win). */
export const candidatesMax = 3000
export const resultsMaxDefault = 10

export type PartyKind = 'person' | 'business'

export interface ScreeningQuery {
  name: string
  /** Restricts the entity types compared: persons against individuals, businesses against entities. */
  kind?: PartyKind
  /** YYYY-MM-DD. */
  dob?: string
  /** ISO alpha-2. */
  countryCode?: string
  limit?: number
  /** Report matches from this score (default matchThreshold). */
  minScore?: number
}

export interface ScreeningMatch {
  entry: WatchlistEntry
  /** The listed name (primary or alias) that matched best. */
  matchedName: string
  score: number
  /** The name score before DOB and country adjustments. */
  nameScore: number
}

/** A built index as plain data (strings and typed arrays), for a cache to keep: `parts` and `restore`. */
export interface WatchlistIndexParts {
  entries: { ids: Int32Array; types: Uint8Array; json: TextListParts }
  variants: { entry: Int32Array; tokenIds: FlatListsParts; names: TextListParts; whole: TextListParts; wholeNatural: TextListParts }
  tokens: string[]
  postings: FlatListsParts
  blocks: { lists: FlatListsParts; text: string; keyStart: Int32Array; slots: Int32Array }
}
interface FlatListsParts { start: Int32Array; items: Int32Array }
interface TextListParts { text: string; start: Int32Array }

/** The entity types in the order their codes number them (WatchlistIndex's entry types). */
const entityTypes: readonly EntityType[] = ['individual', 'entity', 'vessel', 'aircraft']

export class WatchlistIndex {
  // Every listed entry and name is held as columns (typed arrays, and strings side by side in one
  // string), not as an object each: see "The objects a full collection traces" below.
  /** Per entry: OFAC's id, its type (entityTypes' code) and the whole entry as JSON, read back for a match. */
  private readonly entryIds: Int32Array
  private readonly entryTypes: Uint8Array
  private readonly entryJson: TextList
  /** Per listed name (primary or alias), a "variant": its entry, token ids, text, and tokens joined (as listed, and in natural order). */
  private readonly variantEntry: Int32Array
  private readonly variantTokens: FlatLists
  private readonly variantNames: TextList
  private readonly variantWhole: TextList
  private readonly variantWholeNatural: TextList
  private readonly tokens: string[] = []
  /** tokenId → the variant ids holding it. */
  private readonly postings: FlatLists
  /** blocking key → the token ids under it. */
  private readonly blocks: KeyedLists
  private readonly hits: Uint32Array
  private readonly touched: Int32Array

  constructor(entries: readonly WatchlistEntry[]) {
    this.entryIds = Int32Array.from(entries, (e) => e.id)
    this.entryTypes = Uint8Array.from(entries, (e) => entityTypes.indexOf(e.type))
    this.entryJson = new TextList(entries.map((e) => JSON.stringify(e)))
    const vocabulary = new Map<string, number>()
    const postings: number[][] = []
    const blocks = new Map<string, number[]>()
    const addBlock = (key: string, tid: number) => {
      const list = blocks.get(key)
      if (list === undefined) blocks.set(key, [tid])
      else if (list[list.length - 1] !== tid) list.push(tid)
    }
    const variantEntry: number[] = []
    const variantTokens: number[][] = []
    const names: string[] = []
    const whole: string[] = []
    const wholeNatural: string[] = []
    entries.forEach((entry, e) => {
      for (const name of [entry.name, ...entry.aliases]) {
        const tokens = nameTokens(name)
        if (tokens.length === 0) continue
        const id = variantEntry.length
        const post = (t: string) => {
          let tid = vocabulary.get(t)
          if (tid === undefined) {
            tid = this.tokens.length
            vocabulary.set(t, tid)
            this.tokens.push(t)
            postings.push([])
            for (const key of blockingKeys(t)) addBlock(key, tid)
          }
          const list = postings[tid]
          if (list[list.length - 1] !== id) list.push(id)
          return tid
        }
        variantTokens.push(tokens.map(post))
        // Adjacent tokens joined are posted too (not scored as tokens), so "ALHASSAN" finds "AL HASSAN".
        for (let k = 0; k + 1 < tokens.length; k++) post(tokens[k] + tokens[k + 1])
        variantEntry.push(e)
        names.push(name)
        whole.push(tokens.join(''))
        wholeNatural.push(nameTokens(naturalOrder(name)).join(''))
      }
    })
    this.variantEntry = Int32Array.from(variantEntry)
    this.variantTokens = new FlatLists(variantTokens)
    this.variantNames = new TextList(names)
    this.variantWhole = new TextList(whole)
    this.variantWholeNatural = new TextList(wholeNatural)
    this.postings = new FlatLists(postings)
    this.blocks = new KeyedLists(blocks)
    this.hits = new Uint32Array(variantEntry.length)
    this.touched = new Int32Array(variantEntry.length)
  }

  /** What the index is made of, to be made again by `restore` without building. */
  parts(): WatchlistIndexParts {
    return {
      entries: { ids: this.entryIds, types: this.entryTypes, json: this.entryJson.parts() },
      variants: {
        entry: this.variantEntry, tokenIds: this.variantTokens.parts(), names: this.variantNames.parts(),
        whole: this.variantWhole.parts(), wholeNatural: this.variantWholeNatural.parts(),
      },
      tokens: this.tokens, postings: this.postings.parts(), blocks: this.blocks.parts(),
    }
  }

  /**
   * The index `parts` came from, as built: the same answer to every search. Its typed arrays are
   * copied, each with a buffer of its own as when built: node:v8's deserializer makes them views
   * into the one buffer it read (or into Buffer's shared pool), and a server holding the index that
   * way answered card authorizations paced at 1,000/s with a p99 two to three times as high (five
   * runs against nine, docs/verification.md; the cause not read further).
   */
  static restore(parts: WatchlistIndexParts): WatchlistIndex {
    const index = Object.create(WatchlistIndex.prototype) as WatchlistIndex
    const { entries, variants } = parts
    // In the order the constructor makes them, so a restored index has a built one's shape.
    return Object.assign(index, {
      entryIds: entries.ids.slice(),
      entryTypes: entries.types.slice(),
      entryJson: TextList.restore(entries.json),
      variantEntry: variants.entry.slice(),
      variantTokens: FlatLists.restore(variants.tokenIds),
      variantNames: TextList.restore(variants.names),
      variantWhole: TextList.restore(variants.whole),
      variantWholeNatural: TextList.restore(variants.wholeNatural),
      tokens: parts.tokens,
      postings: FlatLists.restore(parts.postings),
      blocks: KeyedLists.restore(parts.blocks),
      hits: new Uint32Array(variants.entry.length),
      touched: new Int32Array(variants.entry.length),
    })
  }

  get size(): { entries: number; names: number; tokens: number } {
    return { entries: this.entryIds.length, names: this.variantEntry.length, tokens: this.tokens.length }
  }

  /** Entry e as parsed from the list (a new object each time). */
  private entry(e: number): WatchlistEntry {
    return JSON.parse(this.entryJson.at(e)) as WatchlistEntry
  }

  /** The listed tokens a query token may plausibly match. */
  private similarTokens(token: string): Set<number> {
    const out = new Set<number>()
    for (const key of blockingKeys(token)) {
      const at = this.blocks.find(key)
      if (at < 0) continue
      for (let p = this.blocks.lists.start[at], end = this.blocks.lists.start[at + 1]; p < end; p++) out.add(this.blocks.lists.items[p])
    }
    return out
  }

  search(query: ScreeningQuery): ScreeningMatch[] {
    const tokens = nameTokens(query.name).slice(0, queryTokensMax)
    if (tokens.length === 0) return []
    const minScore = query.minScore ?? matchThreshold
    const limit = query.limit ?? resultsMaxDefault
    const whole = tokens.join('')

    // Blocking: mark, per listed name, which query tokens found a similar token in it.
    let touchedCount = 0
    const mark = (token: string, bits: number) => {
      const { start, items } = this.postings
      for (const tid of this.similarTokens(token)) {
        for (let p = start[tid], end = start[tid + 1]; p < end; p++) {
          const v = items[p]
          if (this.hits[v] === 0) this.touched[touchedCount++] = v
          this.hits[v] |= bits
        }
      }
    }
    for (let q = 0; q < tokens.length; q++) mark(tokens[q], 1 << q)
    // Two query tokens joined may be one listed token ("AL HASSAN" for "ALHASSAN").
    for (let q = 0; q + 1 < tokens.length; q++) mark(tokens[q] + tokens[q + 1], (1 << q) | (1 << (q + 1)))
    const hitsMin = blockHitsMin(tokens.length)
    let candidates: Array<[number, number]> = []
    for (let k = 0; k < touchedCount; k++) {
      const v = this.touched[k]
      const count = popcount(this.hits[v])
      this.hits[v] = 0
      if (count >= hitsMin) candidates.push([v, count])
    }
    if (candidates.length > candidatesMax) candidates = candidates.sort((x, y) => y[1] - x[1]).slice(0, candidatesMax)

    // Token-pair similarities repeat across names: cache them per query token.
    const cache = tokens.map(() => new Map<number, number>())
    const { start, items } = this.variantTokens
    /** Per entry: its best match so far, its entry read only once some name of it scored high enough. */
    const best = new Map<number, { entry: WatchlistEntry; matchedName: string; score: number; nameScore: number }>()
    for (const [v] of candidates) {
      const e = this.variantEntry[v]
      if (!kindAllows(query.kind, entityTypes[this.entryTypes[e]])) continue
      const from = start[v]
      const listed: string[] = []
      for (let p = from; p < start[v + 1]; p++) listed.push(this.tokens[items[p]])
      const similarity = (i: number, j: number) => {
        const tid = items[from + j]
        let s = cache[i].get(tid)
        if (s === undefined) {
          s = tokenSimilarity(tokens[i], this.tokens[tid])
          cache[i].set(tid, s)
        }
        return s
      }
      let nameScore = bestPairsScore(tokens, listed, similarity)
      // Whole-name comparison only where words were split or joined: between names with the same
      // word count it would reward a long shared first name ("Vladimir Putin" vs "Vladimir Turin").
      if (listed.length !== tokens.length) {
        const wholeScore = Math.max(jaroWinkler(whole, this.variantWhole.at(v)), jaroWinkler(whole, this.variantWholeNatural.at(v)))
        if (wholeScore >= wholeNameMin && wholeScore > nameScore) nameScore = wholeScore
      }
      // adjust never raises a score by more than the birth date's bonus: below that, no entry to read.
      if (Math.min(1, nameScore + birthDateMatchBonus) < minScore) continue
      const prior = best.get(e)
      const entry = prior?.entry ?? this.entry(e)
      const score = adjust(nameScore, entry, query)
      assert(score >= 0 && score <= 1, 'a screening score lies in 0..1')
      if (score < minScore) {
        if (!prior) best.set(e, { entry, matchedName: '', score: -1, nameScore: -1 })
        continue
      }
      if (!prior || score > prior.score) best.set(e, { entry, matchedName: this.variantNames.at(v), score, nameScore })
    }
    return [...best.values()].filter((m) => m.score >= 0).sort((x, y) => y.score - x.score || x.entry.id - y.entry.id).slice(0, limit)
  }
}

// The index is built once per list and read by every screening, and it is most of what a Keel
// process keeps in memory: as a Map of blocking keys to arrays of token ids and an array of posting
// lists per token, the bundled list made about 1.4 million objects (453,000 key strings, each with
// its array, and an Int32Array with its buffer for each of 42,000 tokens), 102.6 MB that every major
// garbage collection traced again, in a server whose own live data is a few megabytes. Flat, it is a
// few typed arrays and one string: 31.4 MB, and a full collection 37 ms instead of about 150.
//
// The objects a full collection traces. The entries and their names were still an object each:
// 9,400 entries with their arrays of aliases, addresses and dates, and 19,100 names, each with its
// array of tokens, an Int32Array of token ids with its buffer, and two joined strings. With the
// bundled list loaded, a full collection of an otherwise idle process took 25.4 ms, 13.4 with the
// names dropped and 5.9 with the entries dropped too (`gc()`, median of 7); in a server under load a
// full collection pauses every request in flight. Held as columns, an entry is its id, its type
// and its JSON text (read back only for a name that scores high enough), and a name its entry, its
// token ids and its text.

/** Lists of ids, one after another in `items`: list i is items[start[i]] up to items[start[i + 1]]. */
class FlatLists {
  readonly start: Int32Array
  readonly items: Int32Array
  constructor(lists: readonly (readonly number[])[]) {
    this.start = new Int32Array(lists.length + 1)
    let total = 0
    lists.forEach((l, i) => { this.start[i] = total; total += l.length })
    this.start[lists.length] = total
    this.items = new Int32Array(total)
    lists.forEach((l, i) => this.items.set(l, this.start[i]))
  }

  parts(): FlatListsParts { return { start: this.start, items: this.items } }

  static restore(parts: FlatListsParts): FlatLists {
    return Object.assign(Object.create(FlatLists.prototype) as FlatLists, { start: parts.start.slice(), items: parts.items.slice() })
  }
}

/** Strings side by side in one string: string i is text.slice(start[i], start[i + 1]). */
class TextList {
  readonly text: string
  readonly start: Int32Array
  constructor(strings: readonly string[]) {
    this.text = strings.join('')
    this.start = new Int32Array(strings.length + 1)
    let at = 0
    strings.forEach((t, i) => { this.start[i] = at; at += t.length })
    this.start[strings.length] = at
  }

  at(i: number): string { return this.text.slice(this.start[i], this.start[i + 1]) }

  parts(): TextListParts { return { text: this.text, start: this.start } }

  static restore(parts: TextListParts): TextList {
    return Object.assign(Object.create(TextList.prototype) as TextList, { text: parts.text, start: parts.start.slice() })
  }
}

/**
 * Lists of ids by string key: the keys side by side in one string, found through an open-addressing
 * table of their hashes, each confirmed by comparing the key's text (no false match).
 */
class KeyedLists {
  readonly lists: FlatLists
  private readonly text: string
  private readonly keyStart: Int32Array
  /** Each slot holds a key's index + 1, or 0 when empty; a power of two, at most half full. */
  private readonly slots: Int32Array

  constructor(map: ReadonlyMap<string, readonly number[]>) {
    const keys = [...map.keys()]
    this.lists = new FlatLists([...map.values()])
    this.text = keys.join('')
    this.keyStart = new Int32Array(keys.length + 1)
    let at = 0
    keys.forEach((k, i) => { this.keyStart[i] = at; at += k.length })
    this.keyStart[keys.length] = at
    let size = 2
    while (size < keys.length * 2) size *= 2
    this.slots = new Int32Array(size)
    keys.forEach((k, i) => {
      let slot = hashOf(k) & (size - 1)
      while (this.slots[slot] !== 0) slot = (slot + 1) & (size - 1)
      this.slots[slot] = i + 1
    })
  }

  parts(): WatchlistIndexParts['blocks'] {
    return { lists: this.lists.parts(), text: this.text, keyStart: this.keyStart, slots: this.slots }
  }

  static restore(parts: WatchlistIndexParts['blocks']): KeyedLists {
    return Object.assign(Object.create(KeyedLists.prototype) as KeyedLists, {
      lists: FlatLists.restore(parts.lists), text: parts.text, keyStart: parts.keyStart.slice(), slots: parts.slots.slice(),
    })
  }

  /** The index of `key`'s list, or -1. */
  find(key: string): number {
    const mask = this.slots.length - 1
    for (let slot = hashOf(key) & mask; ; slot = (slot + 1) & mask) {
      const i = this.slots[slot] - 1
      if (i < 0) return -1
      const from = this.keyStart[i]
      if (this.keyStart[i + 1] - from === key.length && this.text.startsWith(key, from)) return i
    }
  }
}

/** FNV-1a over the UTF-16 code units. */
function hashOf(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function blockingKeys(token: string): string[] {
  // Exact tokens and one-deletion variants share one key space, so a query token one insertion,
  // deletion or substitution away from a listed token (or a transposition) meets it.
  const keys = ['-' + token]
  if (token.length >= deletionTokenLengthMin) {
    for (let i = 0; i < token.length; i++) keys.push('-' + token.slice(0, i) + token.slice(i + 1))
  }
  const phonetic = phoneticKey(token)
  if (phonetic.length >= phoneticKeyLengthMin) keys.push('~' + phonetic)
  return keys
}

/**
 * How many query tokens must find a similar listed token for the name to be scored. A query token
 * without a partner counts 0 at full weight, so a name missing one of up to three query tokens
 * cannot reach the threshold; longer queries may miss one in four.
 */
export function blockHitsMin(queryTokens: number): number {
  return Math.max(1, queryTokens - Math.floor(queryTokens / 4))
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

function kindAllows(kind: PartyKind | undefined, type: EntityType): boolean {
  if (kind === undefined) return true
  return kind === 'person' ? type === 'individual' : type === 'entity'
}

/** DOB and country narrow a name match: they cut false positives, they never create a match. */
export function adjust(nameScore: number, entry: WatchlistEntry, query: Pick<ScreeningQuery, 'dob' | 'countryCode'>): number {
  let score = nameScore
  if (query.dob && entry.birthYears.length > 0) {
    const year = Number(query.dob.slice(0, 4))
    const near = entry.birthYears.some(([from, to]) => year >= from - birthYearTolerance && year <= to + birthYearTolerance)
    if (!near) score *= birthYearMismatchFactor
    else if (entry.birthDates.includes(query.dob)) score = Math.min(1, score + birthDateMatchBonus)
  }
  if (query.countryCode && entry.countryCodes.length > 0 && !entry.countryCodes.includes(query.countryCode)) score *= countryMismatchFactor
  return score
}
