import { dayMs } from '../platform/clock.js'
import type { Tx } from '../platform/db.js'
import { ApiError, badBody } from '../platform/errors.js'
import { recordEvent } from '../platform/events.js'
import { sendOutcome, type Api } from '../platform/http.js'
import { identityOf, runMutation } from '../platform/idempotency.js'
import { uuidv7 } from '../platform/ids.js'
import { listBody, pageOf, readPage } from '../platform/pagination.js'
import type { Workspace } from '../platform/workspaces.js'
import { operations } from '../spec/schemas.js'
import { newSecret } from './signing.js'
import { checkWebhookBody, requireSecret, rollingSecretValidityMs, toEvent, toWebhook, webhooksPerWorkspaceMax } from './service.js'
import {
  countLiveWebhooks, deleteSecret, deleteWebhook, getDelivery, getSecret, getWebhook, insertSecret, insertWebhook,
  listDeliveries, listWebhooks, lockWebhookCreation, saveSecret, scheduleResend, updateWebhook, type WebhookRow,
} from './store.js'


export function registerWebhookRoutes(api: Api): void {
  const { clock, vault, sql, outbound } = api.services

  // ---- the workspace's signing secret

  // The two answers that carry a secret go through secretWrite: with an Idempotency-Key, the
  // stored response (kept for replays) holds the secret sealed by the vault, never in the clear.
  secretWrite('createSecret', async (tx, workspace) => {
    const now = clock.now(workspace.id)
    const secret = newSecret()
    const created = await insertSecret(tx, {
      workspace_id: workspace.id, secret_encrypted: vault.encrypt(secret), previous_secret_encrypted: null, previous_expires_at: null,
      created_at: now, updated_at: now,
    })
    if (!created) throw new ApiError('DUPLICATE_RESOURCE', 'this workspace has a webhook secret already; replace it with PUT /v0/webhook_secrets')
    return { secret }
  })

  secretWrite('replaceSecret', async (tx, workspace, body: { is_rolling_secret?: boolean }) => {
    const row = requireSecret(await getSecret(tx, workspace.id, true))
    const now = clock.now(workspace.id)
    const secret = newSecret()
    // A rolling replacement keeps the replaced secret valid for a day; only the two newest
    // secrets are ever valid, so a second rolling replacement drops the oldest at once.
    const rolling = body.is_rolling_secret === true
    const oldUntil = rolling ? new Date(now.getTime() + rollingSecretValidityMs) : now
    await saveSecret(tx, {
      ...row, secret_encrypted: vault.encrypt(secret),
      previous_secret_encrypted: rolling ? row.secret_encrypted : null, previous_expires_at: rolling ? oldUntil : null, updated_at: now,
    })
    return { secret, deleted_at: oldUntil.toISOString() }
  })

  api.write('revokeSecret', async ({ tx, workspace, query }) => {
    const row = requireSecret(await getSecret(tx, workspace.id, true))
    const now = clock.now(workspace.id)
    if (query.old_secret_only === true) {
      if (!row.previous_secret_encrypted || !row.previous_expires_at || row.previous_expires_at <= now) {
        throw new ApiError('RESOURCE_NOT_FOUND', 'there is no old webhook secret in a rolling window to revoke')
      }
      await saveSecret(tx, { ...row, previous_secret_encrypted: null, previous_expires_at: null, updated_at: now })
    } else {
      await deleteSecret(tx, workspace.id)
    }
    return undefined
  })

  // ---- subscriptions

  api.write('createWebhook', async ({ tx, workspace, body }) => {
    const checked = checkWebhookBody(body, outbound)
    await lockWebhookCreation(tx, workspace.id)
    if ((await countLiveWebhooks(tx, workspace.id)) >= webhooksPerWorkspaceMax) {
      throw new ApiError('BAD_REQUEST', `a workspace can have at most ${webhooksPerWorkspaceMax} webhooks; delete one first`)
    }
    const now = clock.now(workspace.id)
    const row: WebhookRow = {
      workspace_id: workspace.id, id: uuidv7(), url: checked.url, enabled_events: checked.enabledEvents, is_enabled: body.is_enabled,
      description: checked.description, metadata: checked.metadata, created_at: now, updated_at: now, deleted_at: null,
    }
    await insertWebhook(tx, row)
    return toWebhook(row)
  })

  api.read('getWebhook', async ({ workspace, params }) => toWebhook(await requireWebhook(workspace.id, params.webhook_id)))

  api.read('listWebhooks', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listWebhooks(sql, workspace.id, query.is_enabled_only === true, page)
    return listBody('webhooks', rows, page.limit, toWebhook)
  })

  api.write('updateWebhook', async ({ tx, workspace, params, body }) => {
    const before = await getWebhook(tx, workspace.id, params.webhook_id, true)
    if (!before) throw new ApiError('RESOURCE_NOT_FOUND', `webhook ${params.webhook_id} not found`)
    if (body.id !== undefined && body.id !== params.webhook_id) throw badBody('id differs from the webhook in the URL', { invalid: { id: 'must be the id in the URL, or absent' } })
    const checked = checkWebhookBody(body, outbound)
    const row: WebhookRow = {
      ...before, url: checked.url, enabled_events: checked.enabledEvents, is_enabled: body.is_enabled,
      description: checked.description, metadata: checked.metadata, updated_at: clock.now(workspace.id),
    }
    await updateWebhook(tx, row)
    return toWebhook(row)
  })

  api.write('deleteWebhook', async ({ tx, workspace, params }) => {
    if (!(await deleteWebhook(tx, workspace.id, params.webhook_id, clock.now(workspace.id)))) throw new ApiError('RESOURCE_NOT_FOUND', `webhook ${params.webhook_id} not found`)
    return { id: params.webhook_id, resource: 'webhook' }
  })

  // ---- the event log of a webhook

  api.read('listEvents', async ({ workspace, params, query }) => {
    const hook = await requireWebhook(workspace.id, params.webhook_id)
    const page = readPage(query)
    const from = query.start_time ? new Date(query.start_time) : query.start_date ? new Date(`${query.start_date}T00:00:00Z`) : undefined
    // end_date is a whole day, inclusive.
    const to = query.end_time ? new Date(query.end_time) : query.end_date ? new Date(new Date(`${query.end_date}T00:00:00Z`).getTime() + dayMs - 1) : undefined
    if (from && to && from > to) throw new ApiError('BAD_QUERY_PARAMETER', `the range's start (${query.start_time ? 'start_time' : 'start_date'}) is after its end (${query.end_time ? 'end_time' : 'end_date'})`)
    const rows = await listDeliveries(sql, workspace.id, hook.id, { resourceId: query.resource_id, from, to }, page)
    const { items, next_page_token } = pageOf(rows.map((r) => ({ ...r, id: r.event_id })), page.limit)
    // The spec: the list does not carry response histories; GET one event for it.
    return { event_list: items.map((r) => toEvent(r, hook, false)), ...(next_page_token ? { next_page_token } : {}) }
  })

  api.read('getEvent', async ({ workspace, params }) => {
    const hook = await requireWebhook(workspace.id, params.webhook_id)
    const row = await getDelivery(sql, workspace.id, hook.id, params.event_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `event ${params.event_id} was not sent to webhook ${params.webhook_id}`)
    return toEvent(row, hook, true)
  })

  api.write('resendEvent', async ({ tx, workspace, params, query }) => {
    const hook = await getWebhook(tx, workspace.id, params.webhook_id)
    if (!hook) throw new ApiError('RESOURCE_NOT_FOUND', `webhook ${params.webhook_id} not found`)
    if (!(await getDelivery(tx, workspace.id, hook.id, params.event_id))) throw new ApiError('RESOURCE_NOT_FOUND', `event ${params.event_id} was not sent to webhook ${params.webhook_id}`)
    const at = new Date(clock.now(workspace.id).getTime() + (query.delay ?? 0) * 1000)
    await scheduleResend(tx, workspace.id, hook.id, params.event_id, at)
    return toEvent((await getDelivery(tx, workspace.id, hook.id, params.event_id))!, hook, true)
  })

  api.write('triggerEvent', async ({ tx, workspace, body }) => {
    if (body.event === undefined) throw badBody('missing required fields: event', { missing: ['event'] })
    if (body.event.endsWith('.*')) throw badBody('name one explicit event type to trigger, not a wildcard', { invalid: { event: 'must be an explicit event type' } })
    // A test event goes through the outbox like any other, so it reaches exactly the webhooks
    // subscribed to its type, signed and retried the same way. Its resource is a placeholder.
    const resourceId = uuidv7()
    const resource = { id: resourceId, description: `test event triggered through POST /v0/webhooks/trigger` }
    const eventTime = clock.now(workspace.id)
    const id = await recordEvent(tx, { workspaceId: workspace.id, type: body.event, resourceId, resource, at: eventTime })
    return { id, type: body.event, event_time: eventTime.toISOString(), event_resource: JSON.stringify(resource), status: 'RUNNING' }
  })

  function secretWrite<B>(id: 'createSecret' | 'replaceSecret', handler: (tx: Tx, workspace: Workspace, body: B) => Promise<object>): void {
    api.route(id, async (req, reply) => {
      const key = req.headers['idempotency-key']
      if (Array.isArray(key)) throw new ApiError('BAD_REQUEST', 'send one Idempotency-Key header')
      const outcome = await runMutation(sql, req.workspace.id, key, identityOf(req), clock.now(req.workspace.id), async (tx) => {
        const answer = await handler(tx, req.workspace, (req.body ?? {}) as B)
        return { status: operations[id].status, body: { sealed: vault.encrypt(JSON.stringify(answer)) } }
      })
      // Stored encrypted: what is sent is what it seals, not the stored text.
      return sendOutcome(reply, { status: outcome.status, replayed: outcome.replayed, body: JSON.parse(vault.decrypt((outcome.body as { sealed: string }).sealed)) })
    })
  }

  async function requireWebhook(workspaceId: string, id: string): Promise<WebhookRow> {
    const row = await getWebhook(sql, workspaceId, id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `webhook ${id} not found`)
    return row
  }
}
