import type { Queryable } from './db.js'
import { uuidv7 } from './ids.js'

export interface EventInput {
  workspaceId: string
  /** One of the spec's event types, e.g. PERSON.CREATED. */
  type: string
  resourceId: string
  /** The resource as the API returns it after the change. */
  resource: unknown
  /** The prior values of the fields that changed (updates only). */
  changedFields?: Record<string, unknown>
}

/** Writes an event row. Call it inside the transaction that makes the change, never after. */
export async function recordEvent(tx: Queryable, e: EventInput): Promise<string> {
  const id = uuidv7()
  await tx`insert into events (workspace_id, id, type, resource_id, resource, changed_fields)
           values (${e.workspaceId}, ${id}, ${e.type}, ${e.resourceId}, ${tx.json(e.resource as never)},
                   ${e.changedFields ? tx.json(e.changedFields as never) : null})`
  return id
}

/**
 * Writes many event rows in one statement (the ledger's group commit records the events of a whole
 * batch at once). Same rule as recordEvent: inside the transaction that makes the changes.
 */
export function recordEvents(tx: Queryable, events: EventInput[]): Promise<unknown> {
  // One JSON parameter expanded in SQL: far cheaper to send than an escaped text array per column.
  const rows = events.map((e) => ({ workspace_id: e.workspaceId, id: uuidv7(), type: e.type, resource_id: e.resourceId, resource: e.resource, changed_fields: e.changedFields ?? null }))
  return tx`insert into events (workspace_id, id, type, resource_id, resource, changed_fields)
            select workspace_id, id, type, resource_id, resource, changed_fields
            from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as x(workspace_id uuid, id uuid, type text, resource_id uuid, resource jsonb, changed_fields jsonb)`
}

/** The prior values of every top-level field whose value differs between two views of a resource. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {}
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'last_updated_time') continue
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = before[key] ?? null
  }
  return changed
}
