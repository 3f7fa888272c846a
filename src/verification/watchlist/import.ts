// `keel watchlist import`: a newer list in the same CSV layout becomes the current one in one
// transaction (a malformed list changes nothing), then every monitoring subscription is screened
// against it.
import type { Clock } from '../../platform/clock.js'
import type { Sql } from '../../platform/db.js'
import { uuidv7 } from '../../platform/ids.js'
import { rescreenSubscriptions, type RescreenSummary } from '../monitoring/service.js'
import { contentVersion, loadList, primeCurrentList, type LoadedList } from './current.js'
import { parseList, type ListFiles } from './list.js'
import { insertCurrentList, ofacSource } from './store.js'

export interface ImportOptions {
  /** The list's version; by default its content hash. */
  version?: string
  /** The list's publication date (YYYY-MM-DD), when known. */
  date: string | null
}

export interface ImportOutcome { list: LoadedList; entries: number; orphanAliases: number; orphanAddresses: number; rescreen: RescreenSummary }

/** Throws ListFormatError, before any change, for files that are not a well-formed SDN list. */
export async function importList(sql: Sql, files: ListFiles, options: ImportOptions, clock: Clock): Promise<ImportOutcome> {
  const parsed = parseList(files)
  const id = uuidv7()
  const version = options.version ?? contentVersion(files)
  await sql.begin((tx) => insertCurrentList(tx, { id, source: ofacSource, version, list_date: options.date, entry_count: parsed.entries.length, imported_at: clock.now() }, files))
  const list = loadList(id, version, options.date, files)
  primeCurrentList(list)
  const rescreen = await rescreenSubscriptions(sql, list, clock)
  return { list, entries: parsed.entries.length, orphanAliases: parsed.orphanAliases, orphanAddresses: parsed.orphanAddresses, rescreen }
}
