// GET /v0/sandbox/clock and POST /v0/sandbox/clock/advance: Keel's extensions (openapi.ts).

import type { ValidateFunction } from 'ajv'
import type { DueWork } from '../platform/due-work.js'
import { sendOutcome, type Api } from '../platform/http.js'
import { identityOf, keyFromHeader, runMutation } from '../platform/idempotency.js'
import { bodyError, compileBody } from '../platform/validation.js'
import { requireSandbox } from '../platform/workspaces.js'
import { keelExtensions } from './openapi.js'
import { advanceClock, targetOf } from './service.js'

export function registerSandboxRoutes(api: Api, work: () => readonly DueWork[]): void {
  const { clock, sql } = api.services
  // Compiled on the route's first request, as the spec's routes' validators are (routeValidators).
  let validateAdvance: ValidateFunction | undefined

  api.app.get('/v0/sandbox/clock', async (req) => ({ now: clock.now(req.workspace.id).toISOString() }))

  api.app.post('/v0/sandbox/clock/advance', async (req, reply) => {
    // Refused in a live workspace before the body is read, as every sandbox-only operation is.
    requireSandbox(req.workspace, 'moves of the workspace clock (a live workspace follows real time)')
    const key = keyFromHeader(req.headers['idempotency-key'])
    const validate = (validateAdvance ??= compileBody(keelExtensions.schemas.keel_sandbox_clock_advance))
    if (!validate(req.body)) throw bodyError(validate.errors ?? [])
    const body = req.body as { to?: string; by?: string }
    const outcome = await runMutation(sql, req.workspace.id, key, identityOf(req), clock.now(req.workspace.id), async () => {
      const target = targetOf(body, clock.now(req.workspace.id))
      const now = await advanceClock(api.services, work(), req.workspace, target)
      return { status: 200, body: { now: now.toISOString() } }
    })
    return sendOutcome(reply, outcome)
  })
}
