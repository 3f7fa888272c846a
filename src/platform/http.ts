import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ValidateFunction } from 'ajv'
import type { Static, TSchema } from 'typebox'
import { operations, type OperationId } from '../spec/schemas.js'
import type { Clock } from './clock.js'
import type { Vault } from './crypto.js'
import type { Sql, Tx } from './db.js'
import type { Outbound } from './outbound.js'
import { ApiError, badQuery, type ErrorCode } from './errors.js'
import { identityOf, keyFromHeader, runMutation, type Outcome } from './idempotency.js'
import { bodyError, compileBody, compileQuery, describeErrors } from './validation.js'
import { requireSandbox, type Workspace } from './workspaces.js'

/** What every domain service is handed: the database, the PII vault, the clock, and the guard every outbound call goes through. */
export interface Services {
  sql: Sql
  /** Keyed sessions (connectKeyed in db.ts): the ledger's batches run on them. */
  keyedSql: Sql
  vault: Vault
  clock: Clock
  outbound: Outbound
}

/**
 * Answers with a keyed change's outcome: marked when it is a replay, empty for a 204 or no body,
 * else the text already serialized (`json`: the one stored with the key) as it is, or the body.
 */
export function sendOutcome(reply: FastifyReply, outcome: Outcome): FastifyReply {
  if (outcome.replayed) reply.header('idempotent-replayed', 'true')
  reply.code(outcome.status)
  if (outcome.status === 204 || outcome.body === undefined || outcome.body === null) return reply.send()
  return outcome.json === undefined ? reply.send(outcome.body) : reply.type('application/json; charset=utf-8').send(outcome.json)
}

type Op<I extends OperationId> = (typeof operations)[I]
type BodyOf<I extends OperationId> = Op<I>['body'] extends TSchema ? Static<Op<I>['body']> : undefined

export interface ReadInput<I extends OperationId> {
  workspace: Workspace
  params: Static<Op<I>['params']>
  query: Static<Op<I>['query']>
  log: FastifyBaseLogger
}
export interface WriteInput<I extends OperationId> extends ReadInput<I> {
  /** The transaction the change, its event rows and its idempotency record share. */
  tx: Tx
  body: BodyOf<I>
}

export interface RouteOptions {
  /**
   * The body schema to validate against instead of the generated one, when the spec's is a oneOf
   * whose branches overlap (its discriminator is lost in generation, so errors would mix every
   * branch's). It must accept no body the spec's schema rejects.
   */
  body?: object
  /**
   * Only a sandbox workspace has this operation (a simulation, a test aid): a live one is refused
   * with 400 FEATURE_NOT_AVAILABLE before anything else is read (requireSandbox). Names it in the
   * plural: "card transaction simulations".
   */
  sandboxOnly?: string
  /**
   * Statuses the operation's spec declares for catalogue codes, where they differ from the
   * catalogue's: an ApiError with such a code leaving the handler is answered with this status,
   * its problem otherwise unchanged. The account operations declare 461 "Account has been closed"
   * (the spec's `account_closed` response) for ACCOUNT_CLOSED, which money movement answers with
   * the catalogue's 422. Only statuses the operation's responses list belong here.
   */
  statuses?: Partial<Record<ErrorCode, number>>
  /** The most bytes the operation's body may take, where it takes more than the server's 1 MiB (a card image's data). */
  bodyLimit?: number
}

/** The handler, answering the codes `statuses` names with their operation's status. */
function answeringWith(statuses: Partial<Record<ErrorCode, number>>, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    try {
      return await handler(req, reply)
    } catch (err) {
      const status = err instanceof ApiError ? statuses[err.code] : undefined
      if (status !== undefined) throw (err as ApiError).withStatus(status)
      throw err
    }
  }
}

/** A route's validators: its path parameters, its query, and its body where it takes one. */
export interface RouteValidators {
  validateParams: ValidateFunction
  validateQuery: ValidateFunction
  validateBody: ValidateFunction | undefined
}

/**
 * A route's validators, compiled on the route's first request. Compiled at registration, every
 * operation's schemas cost each process about a second of CPU as it started (`keel start`, and every
 * test file that builds the app), for routes most processes never serve.
 * `test/platform/route-validators.test.ts` compiles every operation's.
 */
export function routeValidators(op: Op<OperationId>, body?: object): () => RouteValidators {
  let compiled: RouteValidators | undefined
  return () => (compiled ??= {
    validateParams: compileQuery(op.params),
    validateQuery: compileQuery(op.query),
    validateBody: op.body ? compileBody(body ?? op.body) : undefined,
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    workspace: Workspace
    /** The body's bytes as received (kept by app.ts's JSON parser and the card image parser); null without one. What identifies the body for Idempotency-Key reuse. */
    bodyBytes: Buffer | null
  }
}

/**
 * Declares routes by the spec's operationId: method, path, parameter, query and body schemas all
 * come from the spec, so a route cannot drift from the contract. Handlers return the response body;
 * the status is the operation's success status from the spec.
 */
export class Api {
  constructor(readonly app: FastifyInstance, readonly services: Services) {}

  /** A GET: no transaction, no idempotency. */
  read<I extends OperationId>(id: I, handler: (input: ReadInput<I>) => Promise<unknown>, options: RouteOptions = {}): void {
    this.route(id, async (req, reply) => {
      const body = await handler({ workspace: req.workspace, params: req.params as never, query: req.query as never, log: req.log })
      reply.code(operations[id].status).send(body)
    }, options)
  }

  /** A change: one transaction, honouring Idempotency-Key. */
  write<I extends OperationId>(id: I, handler: (input: WriteInput<I>) => Promise<unknown>, options: RouteOptions = {}): void {
    const { sql } = this.services
    this.route(id, async (req, reply) => {
      const key = keyFromHeader(req.headers['idempotency-key'])
      const now = this.services.clock.now(req.workspace.id)
      const outcome = await runMutation(sql, req.workspace.id, key, identityOf(req), now, async (tx) => {
        const body = await handler({ tx, workspace: req.workspace, params: req.params as never, query: req.query as never, body: req.body as never, log: req.log })
        return { status: operations[id].status, body }
      })
      return sendOutcome(reply, outcome)
    }, options)
  }

  /**
   * A route with the spec's validation and nothing else: for a handler that runs its own
   * transaction and idempotency (the ledger's group commit shares one transaction among requests).
   */
  route(id: OperationId, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>, options: RouteOptions = {}): void {
    const op = operations[id]
    const validators = routeValidators(op, options.body)
    const answer = options.statuses ? answeringWith(options.statuses, handler) : handler
    const commaLists: readonly string[] = op.commaListQuery
    this.app.route({
      method: op.method,
      url: '/v0' + op.path,
      ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
      handler: async (req, reply) => {
        if (options.sandboxOnly !== undefined) requireSandbox(req.workspace, options.sandboxOnly)
        // A malformed id in the URL names no resource: 404, as the spec's error catalogue rules.
        const { validateParams, validateQuery, validateBody } = validators()
        if (!validateParams(req.params)) throw new ApiError('RESOURCE_NOT_FOUND', 'no resource at this URL')
        const query = req.query as Record<string, unknown>
        for (const name of commaLists) {
          const v = query[name]
          if (typeof v === 'string') query[name] = v.split(',').filter((s) => s !== '')
          else if (Array.isArray(v)) query[name] = v.flatMap((s) => String(s).split(',')).filter((s) => s !== '')
        }
        for (const [name, v] of Object.entries(query)) {
          // PostgreSQL text cannot hold NUL (%00): bad input, not a database failure.
          if ((Array.isArray(v) ? v : [v]).some((x) => typeof x === 'string' && x.includes('\u0000'))) {
            throw badQuery({ invalid: { [name]: 'may not contain the NUL character' } })
          }
        }
        if (!validateQuery(query)) throw badQuery(describeErrors(validateQuery.errors ?? []))
        if (validateBody && !validateBody(req.body)) throw bodyError(validateBody.errors ?? [])
        return answer(req, reply)
      },
    })
  }
}
