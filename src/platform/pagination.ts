import { ApiError } from './errors.js'
import { isUuid } from './ids.js'

export const pageLimitDefault = 100
export const pageLimitMax = 100

export interface Page { limit: number; afterId: string | undefined }

/** Reads `limit` (clamped to 1..100) and the opaque `page_token` of a list request. */
export function readPage(query: { limit?: number; page_token?: string }): Page {
  const limit = Math.min(query.limit ?? pageLimitDefault, pageLimitMax)
  if (query.page_token === undefined || query.page_token === '') return { limit, afterId: undefined }
  let afterId: unknown
  try {
    afterId = JSON.parse(Buffer.from(query.page_token, 'base64url').toString('utf8')).after
  } catch {
    afterId = undefined
  }
  if (typeof afterId !== 'string' || !isUuid(afterId)) throw new ApiError('BAD_QUERY_PARAMETER', 'page_token is not one this API issued')
  return { limit, afterId }
}

/**
 * Cuts a page from rows fetched with `limit + 1` in id order: the extra row, when present, only
 * proves there is a next page. `next_page_token` is omitted on the last page.
 */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): { items: T[]; next_page_token?: string } {
  if (rows.length <= limit) return { items: rows }
  const items = rows.slice(0, limit)
  const next = Buffer.from(JSON.stringify({ after: items[items.length - 1].id })).toString('base64url')
  return { items, next_page_token: next }
}

/** A list response in the spec's shape: the page's rows as views under `key`, and the next token unless last. */
export function listBody<T extends { id: string }, V>(key: string, rows: T[], limit: number, view: (row: T) => V): Record<string, unknown> {
  const { items, next_page_token } = pageOf(rows, limit)
  return { [key]: items.map(view), ...(next_page_token ? { next_page_token } : {}) }
}

/** A list filter's `*` wildcards as a LIKE pattern, with LIKE's own metacharacters taken literally. */
export function likePattern(filter: string): string {
  return filter.replace(/[\\%_]/g, (c) => '\\' + c).replace(/\*/g, '%')
}
