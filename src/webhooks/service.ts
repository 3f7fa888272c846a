import type { Static } from 'typebox'
import { isIP } from 'node:net'
import type { Vault } from '../platform/crypto.js'
import { ApiError, badBody } from '../platform/errors.js'
import type { Outbound } from '../platform/outbound.js'
import type { event, webhook, webhook_request_object } from '../spec/schemas.js'
import type { Queryable } from '../platform/db.js'
import { getSecret, type DeliveryRow, type SecretRow, type WebhookRow } from './store.js'

type Webhook = Static<typeof webhook>
type EventView = Static<typeof event>
type DeliveryBody = Static<typeof webhook_request_object>

/** The spec's limit on a webhook URL. */
export const webhookUrlLengthMax = 1000
export const webhookDescriptionLengthMax = 1024
/** Live webhooks per workspace: each is a lane every dispatcher polls. */
export const webhooksPerWorkspaceMax = 50
/** How long a rolling replacement keeps the old secret valid. */
export const rollingSecretValidityMs = 24 * 60 * 60 * 1000
/** response_history keeps this many most recent attempts (resends add rounds). */
export const responseHistoryEntriesMax = 50
/** The share of a receiver's response kept per attempt. */
export const responseBodyKeptBytes = 1024

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    enabled_events: row.enabled_events as Webhook['enabled_events'],
    is_enabled: row.is_enabled,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.metadata !== null ? { metadata: row.metadata } : {}),
    last_updated: row.updated_at.toISOString(),
  }
}

/**
 * Checks a create or update body beyond its schema (which already restricts enabled_events to the
 * spec's explicit types and wildcards): a reachable http(s) URL, at least one event type.
 * Returns the subscription with duplicate event types removed, in the order given.
 */
export function checkWebhookBody(body: Webhook, outbound: Pick<Outbound, 'refusal'>): { url: string; enabledEvents: string[]; description: string | null; metadata: string | null } {
  const invalid: Record<string, string> = {}
  let parsed: URL | undefined
  try { parsed = new URL(body.url) } catch { parsed = undefined }
  if (body.url.length > webhookUrlLengthMax) invalid.url = `must be at most ${webhookUrlLengthMax} characters`
  else if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') invalid.url = 'must be an absolute http or https URL'
  else if (parsed.username !== '' || parsed.password !== '') invalid.url = 'must not carry credentials'
  else {
    // An address written in the URL is checked now; a name is checked each time it is resolved.
    const why = outbound.refusal(parsed.hostname, Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)))
    if (why && isIP(parsed.hostname.replace(/^\[|\]$/g, '')) !== 0) invalid.url = `must not point at an address Keel may not reach (${why})`
  }
  const enabledEvents = [...new Set<string>(body.enabled_events)]
  if (enabledEvents.length === 0) invalid.enabled_events = 'subscribe to at least one event type'
  if (body.description !== undefined && body.description.length > webhookDescriptionLengthMax) invalid.description = `must be at most ${webhookDescriptionLengthMax} characters`
  const bad = Object.keys(invalid)
  if (bad.length) throw badBody(`invalid fields: ${bad.map((k) => `${k} (${invalid[k]})`).join(', ')}`, { invalid })
  return { url: body.url, enabledEvents, description: body.description ?? null, metadata: body.metadata ?? null }
}

/** The event as the API and the delivery body show it: the resource and prior values as JSON strings. */
export function toEvent(row: DeliveryRow, hook: Pick<WebhookRow, 'url' | 'metadata'>, withHistory: boolean): EventView {
  return {
    id: row.event_id,
    type: row.type as EventView['type'],
    event_time: row.event_time.toISOString(),
    resource_id: row.resource_id,
    webhook_id: row.webhook_id,
    url: hook.url,
    metadata: hook.metadata ?? '',
    status: row.status,
    event_resource: JSON.stringify(row.resource),
    ...(row.changed_fields ? { event_resource_changed_fields: JSON.stringify(row.changed_fields) } : {}),
    ...(withHistory ? { response_history: row.response_history } : {}),
  }
}

/** The raw body POSTed to a receiver, fields in the order of Synctera's example. */
export function deliveryBody(row: DeliveryRow, hook: Pick<WebhookRow, 'url' | 'metadata'>): string {
  const body: DeliveryBody = {
    id: row.event_id,
    type: row.type as DeliveryBody['type'],
    event_time: row.event_time.toISOString(),
    resource_id: row.resource_id,
    webhook_id: row.webhook_id,
    url: hook.url,
    metadata: hook.metadata ?? '',
    event_resource: JSON.stringify(row.resource),
    ...(row.changed_fields ? { event_resource_changed_fields: JSON.stringify(row.changed_fields) } : {}),
    status: row.status,
  }
  return JSON.stringify(body)
}

/** The secrets a delivery is signed with at `now`: the current one, then the rolling old one. */
export function activeSecrets(row: SecretRow | undefined, vault: Vault, now: Date): string[] {
  if (!row) return []
  const secrets = [vault.decrypt(row.secret_encrypted)]
  if (row.previous_secret_encrypted && row.previous_expires_at && row.previous_expires_at > now) secrets.push(vault.decrypt(row.previous_secret_encrypted))
  return secrets
}

export function requireSecret(row: SecretRow | undefined): SecretRow {
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', 'this workspace has no webhook secret; create one with POST /v0/webhook_secrets')
  return row
}

/** The secrets a request of another domain is signed with now (none when the workspace has no secret). */
export async function signingSecrets(db: Queryable, vault: Vault, workspaceId: string, now: Date): Promise<string[]> {
  return activeSecrets(await getSecret(db, workspaceId), vault, now)
}
