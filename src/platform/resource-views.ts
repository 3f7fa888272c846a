// Resources stored by view: where no later change can alter what the API answered about a resource
// (a posted transfer, a hold in a final state), the row that would carry the answer (an event, an
// Idempotency-Key outcome) names a registered view instead, and the view renders the same JSON from
// the resource's own rows whenever the row is read. Events (migration 0401) and outcomes (migration
// 1570) share the views; a wipe writes the rendered resources in before it deletes their rows.

import { assert } from './assert.js'
import type { Queryable } from './db.js'

/** Renders the resources of one view for the given resource ids of one workspace. */
export type ResourceView = (db: Queryable, workspaceId: string, resourceIds: string[]) => Promise<Map<string, unknown>>

const views = new Map<string, ResourceView>()

/** Registers a view rows may name instead of carrying their resource. Only for resources that never change once the row is written. */
export function registerResourceView(name: string, render: ResourceView): void {
  views.set(name, render)
}

/** A row that carries its resource, or names the view that renders it. */
export interface ByView { workspaceId: string; view: string | null; resourceId: string }

/**
 * The rendered resources of rows stored by view, in the order of `rows` (undefined for a row that
 * carries its own): one query per workspace and view named. A resource whose rows are gone renders
 * as null, never expected (a wipe writes them in first), but one such row must not fail a whole
 * page of events or a wipe.
 */
export async function renderByView(db: Queryable, rows: readonly ByView[]): Promise<unknown[]> {
  const groups = new Map<string, { workspaceId: string; view: string; at: number[] }>()
  rows.forEach((r, i) => {
    if (r.view === null) return
    const name = `${r.workspaceId}/${r.view}`
    const group = groups.get(name)
    if (group) group.at.push(i)
    else groups.set(name, { workspaceId: r.workspaceId, view: r.view, at: [i] })
  })
  const rendered: unknown[] = rows.map(() => undefined)
  for (const { workspaceId, view, at } of groups.values()) {
    const render = views.get(view)
    assert(render, `no resource view named ${view} is registered`)
    const byId = await render(db, workspaceId, [...new Set(at.map((i) => rows[i].resourceId))])
    for (const i of at) rendered[i] = byId.get(rows[i].resourceId) ?? null
  }
  return rendered
}
