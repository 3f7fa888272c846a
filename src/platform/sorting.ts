// Lists sorted by several keys (`sort_by`), paged by keyset: the order every sorted list shares,
// and the condition that resumes a page strictly after the last row shown.

import type { Fragment } from 'postgres'
import { assert } from './assert.js'
import type { Queryable } from './db.js'
import { ApiError } from './errors.js'

/** One key of a sort order, as a list's store names it. */
export interface SortKey<K extends string> { key: K; descending: boolean }

/**
 * `sort_by` as the spec writes it (field:asc|desc, most significant first), read against the fields
 * one list sorts by (spec name → the store's key). A field named twice is a 400: its second
 * direction could only contradict the first or repeat it.
 */
export function parseSortBy<K extends string>(sortBy: readonly string[] | undefined, fields: Readonly<Record<string, K>>): SortKey<K>[] {
  const order: SortKey<K>[] = []
  for (const item of sortBy ?? []) {
    const [field, direction] = item.split(':')
    const key = Object.hasOwn(fields, field) ? fields[field] : undefined
    if (key === undefined || (direction !== 'asc' && direction !== 'desc')) throw new ApiError('BAD_QUERY_PARAMETER', `sort_by ${item} is not one of the spec's sort orders`)
    if (order.some((o) => o.key === key)) throw new ApiError('BAD_QUERY_PARAMETER', `sort_by names ${field} more than once`)
    order.push({ key, descending: direction === 'desc' })
  }
  return order
}

/** One column of a keyset order: its SQL expression, its direction, and the anchor row's value of it. */
export interface KeysetColumn { expr: Fragment; descending: boolean; value: unknown }

export const joinFragments = (db: Queryable, parts: readonly Fragment[], separator: Fragment): Fragment => {
  assert(parts.length > 0, 'something to join')
  return parts.reduce((acc, part) => db`${acc} ${separator} ${part}`)
}

/** The ORDER BY list of a keyset order, most significant column first. */
export function orderBy(db: Queryable, columns: readonly Omit<KeysetColumn, 'value'>[]): Fragment {
  return joinFragments(db, columns.map((c) => db`${c.expr} ${c.descending ? db`desc` : db`asc`}`), db`,`)
}

/**
 * The rows strictly after the anchor in that order: (c1 beyond v1) or (c1 = v1 and c2 beyond v2)
 * or … A row-value comparison cannot say this once directions differ. Pages are complete and never
 * overlap when the order is total and comparable: the last column is unique (the id), and no
 * expression is ever NULL (coalesce it), since a NULL is neither equal nor beyond anything.
 */
export function keysetAfter(db: Queryable, columns: readonly KeysetColumn[]): Fragment {
  assert(columns.length > 0, 'a keyset order has at least the id')
  for (const c of columns) assert(c.value !== null && c.value !== undefined, 'a keyset value is never NULL')
  const branches = columns.map((c, i) => {
    const equalBefore = columns.slice(0, i).map((p) => db`${p.expr} = ${p.value as never}`)
    const beyond = c.descending ? db`${c.expr} < ${c.value as never}` : db`${c.expr} > ${c.value as never}`
    return db`(${joinFragments(db, [...equalBefore, beyond], db`and`)})`
  })
  return db`(${joinFragments(db, branches, db`or`)})`
}
