import type { Queryable } from '../../platform/db.js'
import { listFileNames, type ListFiles } from './list.js'

/** The one list source Keel screens against today (the spec's matching_watchlists enum). */
export const ofacSource = 'US_OFAC'

export interface ListMeta {
  id: string
  source: string
  version: string
  list_date: string | null
  entry_count: number
  imported_at: Date
  rescreened_at: Date | null
}

export async function currentListMeta(db: Queryable, source = ofacSource): Promise<ListMeta | undefined> {
  const [row] = await db<ListMeta[]>`
    select id, source, version, to_char(list_date, 'YYYY-MM-DD') as list_date, entry_count, imported_at, rescreened_at
    from watchlist_lists where source = ${source} and is_current`
  return row
}

export async function listFilesOf(db: Queryable, listId: string): Promise<ListFiles> {
  const rows = await db<{ name: string; content: string }[]>`select name, content from watchlist_list_files where list_id = ${listId}`
  const byName = new Map(rows.map((r) => [r.name, r.content]))
  const file = (key: keyof ListFiles) => byName.get(listFileNames[key]) ?? ''
  return { sdn: file('sdn'), alt: file('alt'), add: file('add'), comments: file('comments') }
}

/** Stores a list and makes it the current one for its source. Call inside one transaction. */
export async function insertCurrentList(tx: Queryable, meta: Omit<ListMeta, 'rescreened_at'>, files: ListFiles): Promise<void> {
  // Serialises concurrent imports: the second waits, then supersedes the first.
  await tx`select pg_advisory_xact_lock(hashtext(${'watchlist:' + meta.source}))`
  await tx`update watchlist_lists set is_current = false where source = ${meta.source} and is_current`
  await tx`insert into watchlist_lists (id, source, version, list_date, entry_count, is_current, imported_at)
           values (${meta.id}, ${meta.source}, ${meta.version}, ${meta.list_date}, ${meta.entry_count}, true, ${meta.imported_at})`
  for (const key of Object.keys(listFileNames) as Array<keyof ListFiles>) {
    await tx`insert into watchlist_list_files (list_id, name, content) values (${meta.id}, ${listFileNames[key]}, ${files[key]})`
  }
}

export async function markRescreened(db: Queryable, listId: string, at: Date): Promise<void> {
  await db`update watchlist_lists set rescreened_at = ${at} where id = ${listId}`
}
