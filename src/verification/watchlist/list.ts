// The OFAC SDN list in the Treasury's legacy CSV layout (sdn.csv, alt.csv, add.csv,
// sdn_comments.csv; no header rows; "-0-" for empty). Parsing is pure: files in, entries out.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { countryCodeOf } from './countries.js'

export type EntityType = 'individual' | 'entity' | 'vessel' | 'aircraft'

export interface WatchlistAddress { address?: string; city?: string; country?: string; countryCode?: string }

export interface WatchlistEntry {
  /** OFAC's ent_num. */
  id: number
  name: string
  type: EntityType
  programs: string[]
  title?: string
  remarks?: string
  aliases: string[]
  addresses: WatchlistAddress[]
  /** Dates of birth read from the remarks: a year range per DOB clause ("DOB 1963", "DOB 28 Jul 1963", "DOB 1960 to 1965"). */
  birthYears: Array<[number, number]>
  /** Full dates of birth (YYYY-MM-DD) where the remarks give a day. */
  birthDates: string[]
  /** ISO alpha-2 codes from the addresses, nationality and citizenship. */
  countryCodes: string[]
}

export interface ListFiles { sdn: string; alt: string; add: string; comments: string }
export const listFileNames: Record<keyof ListFiles, string> = { sdn: 'sdn.csv', alt: 'alt.csv', add: 'add.csv', comments: 'sdn_comments.csv' }

/** Where the bundled list lives: data/ofac/ at the repository root (no dependency on ../shared). */
export const bundledListDir = join(import.meta.dirname, '..', '..', '..', 'data', 'ofac')

// Each file has a fixed column count; a row with another count is a corrupt file, not data.
const columns = { sdn: 12, alt: 5, add: 6, comments: 2 } as const
/** An SDN list with fewer entries than this is almost certainly a truncated or wrong file. */
export const listEntriesMin = 1

export class ListFormatError extends Error {}

/** Reads the four files of a list from a directory (sdn_comments.csv may be absent). */
export function readListDir(dir: string): ListFiles {
  const read = (name: string, optional = false) => {
    const p = join(dir, name)
    if (!existsSync(p)) {
      if (optional) return ''
      throw new ListFormatError(`${p} is missing`)
    }
    return readFileSync(p, 'latin1')
  }
  return { sdn: read(listFileNames.sdn), alt: read(listFileNames.alt), add: read(listFileNames.add), comments: read(listFileNames.comments, true) }
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines. Strips a DOS end-of-file mark. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i]
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue }
        quoted = false; i++; continue
      }
      field += c; i++; continue
    }
    if (c === '"') { quoted = true; i++; continue }
    if (c === ',') { row.push(field); field = ''; i++; continue }
    if (c === '\n' || c === '\r') {
      row.push(field); field = ''
      if (!(row.length === 1 && row[0].trim() === '')) rows.push(row)
      row = []
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      continue
    }
    if (c === '\x1a') { i++; continue }
    field += c; i++
  }
  if (quoted) throw new ListFormatError('unterminated quoted field')
  row.push(field)
  if (!(row.length === 1 && row[0].trim() === '')) rows.push(row)
  return rows
}

// "-0-" is OFAC's empty value. A file cut at its last byte can leave "-0", which is empty too.
function value(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const v = raw.trim()
  return v === '' || v === '-0-' || v === '-0' ? undefined : v
}

function entityTypeOf(raw: string | undefined): EntityType {
  const v = value(raw)?.toLowerCase()
  if (v === undefined) return 'entity'
  if (v === 'individual' || v === 'vessel' || v === 'aircraft') return v
  throw new ListFormatError(`unknown SDN_Type ${raw}`)
}

const months: Record<string, string> = { jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06', jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12' }

/** The DOB clauses of an SDN remark: "DOB 28 Jul 1963", "DOB 1963", "DOB circa 1963", "DOB 1960 to 1965", "alt. DOB Jul 1963". */
export function birthInfoOf(remarks: string | undefined): { years: Array<[number, number]>; dates: string[] } {
  const years: Array<[number, number]> = []
  const dates: string[] = []
  if (!remarks) return { years, dates }
  for (const clause of remarks.split(';')) {
    const m = /\bDOB\s+(?:circa\s+)?(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\s+)?(\d{4})(?:\s+to\s+(?:\d{1,2}\s+)?(?:[A-Za-z]{3}[a-z]*\s+)?(\d{4}))?/.exec(clause)
    if (!m) continue
    const from = Number(m[3])
    const to = m[4] ? Number(m[4]) : from
    // "circa" widens the range by a year either way: OFAC uses it for approximate ages.
    const circa = /\bcirca\b/.test(clause) ? 1 : 0
    years.push([from - circa, to + circa])
    if (m[1] && m[2] && !m[4] && months[m[2].toLowerCase()]) dates.push(`${m[3]}-${months[m[2].toLowerCase()]}-${m[1].padStart(2, '0')}`)
  }
  return { years, dates }
}

/** Names the remarks give as "a.k.a. 'X'", "f.k.a. 'X'" or "n.k.a. 'X'" (often absent from alt.csv). */
export function remarkAliases(remarks: string | undefined): string[] {
  if (!remarks) return []
  return [...remarks.matchAll(/\b[afn]\.k\.a\.,?\s+'([^']+)'/gi)].map((m) => m[1].trim()).filter(Boolean)
}

/** Countries named by "nationality X" and "citizen X" clauses. */
function remarkCountries(remarks: string | undefined): string[] {
  if (!remarks) return []
  const out: string[] = []
  for (const m of remarks.matchAll(/\b(?:nationality|citizen)\s+([^;]+)/gi)) {
    const code = countryCodeOf(m[1].trim().replace(/\.$/, ''))
    if (code) out.push(code)
  }
  return out
}

export interface ParsedList { entries: WatchlistEntry[]; orphanAliases: number; orphanAddresses: number }

/**
 * Builds entries from the four files. Aliases and addresses whose ent_num names no entry are
 * counted and dropped (OFAC's own files carry a few), never attached to a wrong entry.
 */
export function parseList(files: ListFiles): ParsedList {
  const byId = new Map<number, WatchlistEntry>()
  const entries: WatchlistEntry[] = []
  const rowsOf = (name: keyof ListFiles, text: string) => {
    const rows = parseCsv(text)
    rows.forEach((r, i) => {
      if (r.length !== columns[name]) throw new ListFormatError(`${listFileNames[name]} row ${i + 1} has ${r.length} columns, expected ${columns[name]}`)
    })
    return rows
  }
  const idOf = (name: keyof ListFiles, raw: string, i: number) => {
    const id = Number(raw.trim())
    if (!Number.isSafeInteger(id) || id <= 0) throw new ListFormatError(`${listFileNames[name]} row ${i + 1}: ent_num ${JSON.stringify(raw)} is not a positive integer`)
    return id
  }
  rowsOf('sdn', files.sdn).forEach((r, i) => {
    const id = idOf('sdn', r[0], i)
    const name = value(r[1])
    if (!name) throw new ListFormatError(`sdn.csv row ${i + 1}: empty SDN_Name`)
    if (byId.has(id)) throw new ListFormatError(`sdn.csv row ${i + 1}: duplicate ent_num ${id}`)
    const remarks = value(r[11])
    const entry: WatchlistEntry = {
      id, name, type: entityTypeOf(r[2]),
      programs: (value(r[3]) ?? '').split(/\]\s*\[/).map((p) => p.replace(/[[\]]/g, '').trim()).filter(Boolean),
      ...(value(r[4]) ? { title: value(r[4]) } : {}),
      ...(remarks ? { remarks } : {}),
      aliases: [], addresses: [], birthYears: [], birthDates: [], countryCodes: [],
    }
    byId.set(id, entry)
    entries.push(entry)
  })
  if (entries.length < listEntriesMin) throw new ListFormatError('sdn.csv holds no entries')
  // sdn_comments.csv continues remarks that overflowed sdn.csv's column.
  for (const [i, r] of rowsOf('comments', files.comments).entries()) {
    const entry = byId.get(idOf('comments', r[0], i))
    const more = value(r[1])
    if (entry && more) entry.remarks = (entry.remarks ?? '') + more
  }
  let orphanAliases = 0
  for (const [i, r] of rowsOf('alt', files.alt).entries()) {
    const entry = byId.get(idOf('alt', r[0], i))
    const alias = value(r[3])
    if (!entry) { orphanAliases++; continue }
    if (alias) entry.aliases.push(alias)
  }
  let orphanAddresses = 0
  for (const [i, r] of rowsOf('add', files.add).entries()) {
    const entry = byId.get(idOf('add', r[0], i))
    if (!entry) { orphanAddresses++; continue }
    const country = value(r[4])
    const countryCode = country ? countryCodeOf(country) : undefined
    const address: WatchlistAddress = {
      ...(value(r[2]) ? { address: value(r[2]) } : {}),
      ...(value(r[3]) ? { city: value(r[3]) } : {}),
      ...(country ? { country } : {}),
      ...(countryCode ? { countryCode } : {}),
    }
    if (Object.keys(address).length) entry.addresses.push(address)
  }
  for (const entry of entries) {
    for (const alias of remarkAliases(entry.remarks)) if (!entry.aliases.includes(alias)) entry.aliases.push(alias)
    const { years, dates } = birthInfoOf(entry.remarks)
    entry.birthYears = years
    entry.birthDates = dates
    entry.countryCodes = [...new Set([...entry.addresses.flatMap((a) => (a.countryCode ? [a.countryCode] : [])), ...remarkCountries(entry.remarks)])]
  }
  return { entries, orphanAliases, orphanAddresses }
}
