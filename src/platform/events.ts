import { isoString } from './clock.js'
import { plainArray, textArray, type Queryable, type Unsent } from './db.js'
import { sameJson } from './objects.js'
import { uuidv7 } from './ids.js'
import { renderByView } from './resource-views.js'

interface EventBase {
  workspaceId: string
  /** One of the spec's event types, e.g. PERSON.CREATED. */
  type: string
  resourceId: string
  /**
   * When the change happened by its workspace's clock (src/platform/clock.ts): the event's
   * `event_time`, on the same clock as the resource's own times (a sandbox's clock may be ahead).
   */
  at: Date
}

/**
 * An event carries its resource as the API shows it after the change, or, when no later change can
 * alter that resource (a posted transfer), the name of a registered view (resource-views.ts) that
 * renders it from its own rows whenever the event is read: the same JSON, without storing it
 * (migration 0401).
 */
export type EventInput = EventBase & (
  | {
    /** The resource as the API returns it after the change. */
    resource: unknown
    /** The prior values of the fields that changed (updates only). */
    changedFields?: Record<string, unknown>
  }
  | { view: string })

/** An event as read back: the resource, or the view that renders it. */
export interface StoredEventResource { resource_id: string; resource: unknown; resource_view: string | null }

/** Fills in the resources of events stored by view (one query per view named), in place. */
export async function renderEventResources<T extends StoredEventResource>(db: Queryable, workspaceId: string, rows: T[]): Promise<T[]> {
  const rendered = await renderByView(db, rows.map((r) => ({ workspaceId, view: r.resource_view, resourceId: r.resource_id })))
  rows.forEach((r, i) => { if (r.resource_view !== null) r.resource = rendered[i] })
  return rows
}

/**
 * Stores the rendered resources into a workspace's events stored by view, before the rows the views
 * read are deleted (POST /v0/wipe keeps events). Pages of `pageSize` events.
 */
export async function materializeEventResources(db: Queryable, workspaceId: string, pageSize = 1000): Promise<number> {
  let done = 0
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    // Keyset pages along the primary key: each page reads on from the last, not from the start.
    const rows = await db<(StoredEventResource & { id: string })[]>`
      select id, resource_id, resource, resource_view from events
      where workspace_id = ${workspaceId} and id > ${after} and resource_view is not null order by id limit ${pageSize}`
    if (rows.length === 0) return done
    after = rows[rows.length - 1].id
    await renderEventResources(db, workspaceId, rows)
    await db`update events e set resource = coalesce(v.resource, 'null'::jsonb), resource_view = null
             from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ id: r.id, resource: r.resource })))}::text::jsonb) as v(id uuid, resource jsonb)
             where e.workspace_id = ${workspaceId} and e.id = v.id`
    done += rows.length
  }
}

/** Writes an event row. Call it inside the transaction that makes the change, never after. */
export async function recordEvent(tx: Queryable, e: EventInput): Promise<string> {
  const id = uuidv7()
  if ('view' in e) {
    await tx`insert into events (workspace_id, id, type, resource_id, resource_view, event_time)
             values (${e.workspaceId}, ${id}, ${e.type}, ${e.resourceId}, ${e.view}, ${e.at})`
    return id
  }
  await tx`insert into events (workspace_id, id, type, resource_id, resource, changed_fields, event_time)
           values (${e.workspaceId}, ${id}, ${e.type}, ${e.resourceId}, ${tx.json(e.resource as never)},
                   ${e.changedFields ? tx.json(e.changedFields as never) : null}, ${e.at})`
  return id
}

/**
 * Writes many event rows (the ledger's group commit records the events of a whole batch at once):
 * one statement for those stored by view, one for those with their resource. Same rule as
 * recordEvent: inside the transaction that makes the changes. Returns the statements, not yet sent:
 * await them, or send them with others as one (oneStatement in db.ts).
 */
export function recordEvents(tx: Queryable, events: EventInput[]): Unsent[] {
  const byView: Extract<EventInput, { view: string }>[] = []
  const full: Exclude<EventInput, { view: string }>[] = []
  for (const e of events) {
    if ('view' in e) byView.push(e)
    else full.push(e)
  }
  const statements: Unsent[] = []
  if (byView.length) {
    // Plain arrays of short strings: no JSON to build or parse.
    statements.push(tx`insert into events (workspace_id, id, type, resource_id, resource_view, event_time)
      select unnest(${plainArray(byView.map((e) => e.workspaceId))}::uuid[]), unnest(${plainArray(byView.map(() => uuidv7()))}::uuid[]),
        unnest(${textArray(byView.map((e) => e.type))}::text[]), unnest(${plainArray(byView.map((e) => e.resourceId))}::uuid[]), unnest(${textArray(byView.map((e) => e.view))}::text[]),
        unnest(${plainArray(byView.map((e) => isoString(e.at)))}::timestamptz[])`)
  }
  if (full.length) {
    // One array literal per column, the resources as JSON texts: PostgreSQL parses each resource
    // once, where one JSON parameter expanded by jsonb_to_recordset was parsed whole and each
    // resource then copied out of it (measured on TRANSACTION.PENDING.CREATED rows of 1.5 KB, about
    // 30% less of its time for the statement).
    statements.push(tx`insert into events (workspace_id, id, type, resource_id, resource, changed_fields, event_time)
      select unnest(${plainArray(full.map((e) => e.workspaceId))}::uuid[]), unnest(${plainArray(full.map(() => uuidv7()))}::uuid[]),
        unnest(${textArray(full.map((e) => e.type))}::text[]), unnest(${plainArray(full.map((e) => e.resourceId))}::uuid[]),
        unnest(${textArray(full.map((e) => JSON.stringify(e.resource)))}::jsonb[]), unnest(${textArray(full.map((e) => (e.changedFields ? JSON.stringify(e.changedFields) : null)))}::jsonb[]),
        unnest(${plainArray(full.map((e) => isoString(e.at)))}::timestamptz[])`)
  }
  return statements
}

/** The fields that say when a resource last changed: they change with every change, and are never one. */
const changeTimes: ReadonlySet<string> = new Set(['last_updated_time', 'last_modified_time'])

/**
 * The prior values of every top-level field whose value differs between two views of a resource,
 * as JSON says them whatever the order of an object's keys (jsonb keeps its own). Empty when
 * nothing changed.
 */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {}
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (changeTimes.has(key)) continue
    if (!sameJson(before[key], after[key])) changed[key] = before[key] ?? null
  }
  return changed
}
