// The list every screening in this process uses. The database says which list is current (the
// latest `keel watchlist import`, or none: then the list bundled in data/ofac/); each process
// parses and indexes that list once and swaps to a newer one when an import changes it. A
// screening costs one indexed read of watchlist_lists to learn the current version, so every
// process screens against the same list right after an import commits.
import { createHash } from 'node:crypto'
import type { Queryable } from '../../platform/db.js'
import { bundledListDir, parseList, readListDir, type ListFiles } from './list.js'
import { currentListMeta, listFilesOf, ofacSource } from './store.js'
import { cachedIndex } from './index-cache.js'
import { WatchlistIndex } from './watchlist-index.js'

export interface LoadedList {
  source: typeof ofacSource
  /** "bundled" or the import's id. */
  id: string
  version: string
  date: string | null
  index: WatchlistIndex
}

/** A list's version when the import names none: the first 16 hex digits of the files' SHA-256. */
export function contentVersion(files: ListFiles): string {
  const h = createHash('sha256')
  for (const text of [files.sdn, files.alt, files.add, files.comments]) h.update(text).update('\0')
  return 'sha256:' + h.digest('hex').slice(0, 16)
}

export function loadList(id: string, version: string, date: string | null, files: ListFiles): LoadedList {
  return { source: ofacSource, id, version, date, index: new WatchlistIndex(parseList(files).entries) }
}

let bundled: LoadedList | undefined
/** The list shipped in data/ofac/ (on first use: its index read from the cache, or built and kept there). */
export function bundledList(): LoadedList {
  if (!bundled) {
    const files = readListDir(bundledListDir)
    const version = contentVersion(files)
    bundled = { source: ofacSource, id: 'bundled', version, date: null, index: cachedIndex(version, () => new WatchlistIndex(parseList(files).entries)) }
  }
  return bundled
}

let imported: { id: string; loading: Promise<LoadedList> } | undefined

/** The current list, as the database names it. */
export async function currentList(db: Queryable): Promise<LoadedList> {
  const meta = await currentListMeta(db)
  if (!meta) return bundledList()
  if (imported?.id !== meta.id) {
    const loading = listFilesOf(db, meta.id).then((files) => loadList(meta.id, meta.version, meta.list_date, files))
    imported = { id: meta.id, loading }
    // A failed load is retried by the next screening rather than cached.
    loading.catch(() => { if (imported?.loading === loading) imported = undefined })
  }
  return imported.loading
}

/** Makes a list this process has just imported the current one without reading it back. */
export function primeCurrentList(list: LoadedList): void {
  imported = { id: list.id, loading: Promise.resolve(list) }
}
