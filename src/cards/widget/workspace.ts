// The workspace a widget page or call belongs to, named by the id in its URL (the page has no API key).

import type { Queryable } from '../../platform/db.js'
import { ApiError } from '../../platform/errors.js'
import { findWorkspace, partnerVerifiedOf, type Workspace } from '../../platform/workspaces.js'
import { replaceWidgetOrigins, widgetOrigins } from '../store.js'

export async function loadWidgetWorkspace(db: Queryable, workspaceId: string): Promise<Workspace | undefined> {
  const row = await findWorkspace(db, workspaceId)
  if (!row || row.id !== workspaceId) return undefined
  return { id: row.id, name: row.name, mode: row.mode, partnerVerified: partnerVerifiedOf(row) }
}

/** An origin as CSP frame-ancestors takes it: scheme, host and optional port, nothing else. */
export function parseOrigin(text: string): string {
  let url: URL
  try { url = new URL(text) } catch { throw new ApiError('BAD_REQUEST', `${text} is not an origin (https://host[:port])`) }
  if (!['https:', 'http:'].includes(url.protocol) || url.origin !== text.replace(/\/$/, '')) throw new ApiError('BAD_REQUEST', `${text} is not an origin (https://host[:port])`)
  return url.origin
}

/** Sets the origins allowed to frame a workspace's widget pages (replacing the list). */
export async function setWidgetOrigins(db: Queryable, workspaceId: string, origins: string[]): Promise<string[]> {
  const parsed = [...new Set(origins.map(parseOrigin))]
  await replaceWidgetOrigins(db, workspaceId, parsed)
  return widgetOrigins(db, workspaceId)
}
