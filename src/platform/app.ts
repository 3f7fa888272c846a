import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { createServer, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type preParsingHookHandler } from 'fastify'
import type { Logger } from 'pino'
import { domains } from '../domains.js'
import specDocument from '../spec/openapi.json' with { type: 'json' }
import { keelExtensions } from '../sandbox/index.js'
import { withStatementPdf } from '../statements/index.js'
import { achExtensions } from '../ach/openapi.js'
import { Api, type Services } from './http.js'
import { AssertionFailed } from './assert.js'
import { admit, authenticate, recordRoutes } from './auth.js'
import { ApiError, type Problem } from './errors.js'
import { uuidv7 } from './ids.js'
import { checkJsonValues, jsonBodyText, prototypeKeyRefusal } from './json-body.js'
import { LazyRequestLogger } from './logger.js'
import { createLimits, type LimitSettings } from './limits.js'
import { defineGauge, serveMetrics } from './metrics.js'
import { databaseRetryAfterSeconds, isDatabaseUnavailable, keelConnectionStates } from './db.js'
import { registerWipe } from './wipe.js'

export const bodyLimitBytes = 1024 * 1024
const problemType = 'application/problem+json'
/** What /v0/openapi.json and /docs serve: Synctera's operations Keel serves, and Keel's own extensions. */
const openapi = withStatementPdf({
  ...specDocument,
  paths: { ...specDocument.paths, ...keelExtensions.paths, ...achExtensions.paths },
  components: { ...specDocument.components, schemas: { ...specDocument.components.schemas, ...keelExtensions.schemas, ...achExtensions.schemas } },
})

/**
 * The media types an operation's request body takes, by its OpenAPI document (Synctera's spec and
 * Keel's extensions): application/json for most, text/plain for a NACHA file, an image for a card's.
 */
function bodyTypesOf(method: string, routeUrl: string | undefined): string[] {
  const path = routeUrl?.replace(/^\/v0/, '').replace(/:(\w+)/g, '{$1}')
  const operation = path === undefined ? undefined : (openapi.paths as Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }> | undefined>)[path]?.[method.toLowerCase()]
  const types = Object.keys(operation?.requestBody?.content ?? {})
  return types.length ? types : ['application/json']
}

/** 415: the media type the request was sent as is not one the operation takes (they are named). */
const unsupportedMediaType = (method: string, routeUrl: string | undefined): ApiError =>
  new ApiError('UNSUPPORTED_MEDIA_TYPE', `send the request body as ${bodyTypesOf(method, routeUrl).join(' or ')}`)

/** What a failed request is answered with, as an expected outcome. */
function apiErrorFrom(err: FastifyError | Error, log: Logger | FastifyInstance['log'], req?: FastifyRequest): ApiError {
  if (err instanceof ApiError) return err
  const code = (err as FastifyError).code
  switch (code) {
    // The route's own limit where it sets one (a NACHA file, a card image), else the server's.
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new ApiError('PAYLOAD_TOO_LARGE', `request body is larger than ${req?.routeOptions.bodyLimit ?? bodyLimitBytes} bytes`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return unsupportedMediaType(req?.method ?? 'POST', req?.routeOptions.url)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new ApiError('BAD_REQUEST_BODY', 'request body is empty')
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new ApiError('BAD_REQUEST_BODY', 'request body is not valid JSON')
  }
  if (isDatabaseUnavailable(err)) {
    log.warn({ err }, 'database unavailable')
    return new ApiError('SERVICE_UNAVAILABLE', 'the database is unavailable; retry shortly', {}, { retryAfterSeconds: databaseRetryAfterSeconds })
  }
  const status = (err as FastifyError).statusCode
  if (err instanceof SyntaxError && status === 400) return new ApiError('BAD_REQUEST_BODY', 'request body is not valid JSON')
  if (status && status >= 400 && status < 500) return new ApiError('BAD_REQUEST', err.message)
  log.error({ err, assertion: err instanceof AssertionFailed }, 'request failed')
  return new ApiError('INTERNAL_ERROR', 'internal error')
}

/**
 * Refuses, before its body is read, a request to an operation that takes only JSON sent as any
 * other media type: 415, as Fastify answers a type it has no parser for. Without it, Fastify's
 * text/plain parser (kept for the NACHA endpoints) and the card image parser would hand a JSON
 * operation a string or bytes, refused as a bad body instead.
 */
const refuseOtherThanJson: preParsingHookHandler = (req, _reply, payload, done) => {
  const type = req.headers['content-type']
  if (type === undefined || mediaTypeOf(type) === 'application/json') return done(null, payload)
  done(unsupportedMediaType(req.method, req.routeOptions.url))
}
const mediaTypeOf = (contentType: string): string => contentType.split(';', 1)[0].trim().toLowerCase()
const bodyMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Fastify's own refusals before routing (a URL that is not percent-encoded UTF-8, an over-long path parameter), as problems. */
function frameworkProblem(err: FastifyError): Problem {
  if (err.code === 'FST_ERR_BAD_URL') return new ApiError('BAD_REQUEST', 'the URL is not valid percent-encoded UTF-8').toProblem()
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new ApiError('RESOURCE_NOT_FOUND', 'no resource at this URL: a path parameter is longer than any id').toProblem()
  return new ApiError('BAD_REQUEST', err.message).toProblem()
}

/**
 * Errors node's HTTP parser meets before Fastify sees a request (headers too large, a request
 * line that is not HTTP, a client too slow to send its headers): answered on the socket as
 * problem+json too, then closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) { socket.destroy(); return }
  const problem = err.code === 'HPE_HEADER_OVERFLOW' ? new ApiError('HEADERS_TOO_LARGE', 'the request line and headers are larger than the server accepts').toProblem()
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new ApiError('REQUEST_TIMEOUT', 'the request was not received in time').toProblem()
      : new ApiError('BAD_REQUEST', 'the request is not valid HTTP').toProblem()
  const body = JSON.stringify(problem)
  socket.end(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\ncontent-type: ${problemType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}

/**
 * Time-outs on client connections, so an idle or slow client cannot hold a socket for ever:
 * the request line and headers must arrive within `headersTimeoutMs`, the whole request (body
 * included) within `requestTimeoutMs`, an idle keep-alive connection is closed after
 * `keepAliveTimeoutMs`, and a connection with no traffic either way for `connectionIdleTimeoutMs`
 * (a handler included) is closed. Node checks the first two every `timeoutCheckIntervalMs`.
 */
export const timeoutDefaults = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionIdleTimeoutMs: 60_000,
  timeoutCheckIntervalMs: 1_000,
}
export type Timeouts = typeof timeoutDefaults

export interface AppOptions {
  limits?: Partial<LimitSettings>
  /** Rate-limit clock (tests move it); wall time by default. */
  limitsNowMs?: () => number
  timeouts?: Partial<Timeouts>
  /** Serve Prometheus metrics at GET /metrics (KEEL_METRICS). */
  metrics?: boolean
  /** Beyond answering a query, whether the database this process uses is still the one it should (a joined embedded server). */
  ready?: () => boolean
}

/** /health/ready answers 503 when the database has not answered `select 1` within this bound. */
export const readyCheckTimeoutMs = 2_000

export async function buildApp(services: Services, logger: Logger, options: AppOptions = {}): Promise<FastifyInstance> {
  const timeouts = { ...timeoutDefaults, ...options.timeouts }
  const limits = createLimits(options.limits, options.limitsNowMs)
  const app = (Fastify({
    serverFactory: (handler) => createServer({
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeouts.timeoutCheckIntervalMs,
    }, handler).setTimeout(timeouts.connectionIdleTimeoutMs),
    loggerInstance: logger,
    // A request's own logger is made only when something logs through it (LazyRequestLogger).
    childLoggerFactory: (parent, bindings, options) => new LazyRequestLogger(parent as Logger, bindings, options),
    // One line per request, when it is answered (the hook below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && given.length > 0 && given.length <= 200 ? given : uuidv7()
    },
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      const problem = frameworkProblem(err)
      reply.code(problem.status).type(problemType).send(problem)
    },
    clientErrorHandler: answerClientError,
  }) as unknown) as FastifyInstance
  recordRoutes(app)

  // Hooks in callback style: an async hook costs every request a promise and a turn of the queue.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id)
    done()
  })
  // The access log: method, path, status and time of every request, as one info line, written by
  // the server's logger with the request's id where its own logger would have bound it.
  app.addHook('onResponse', (req, reply, done) => {
    logger.info({ reqId: req.id, method: req.method, url: req.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed')
    done()
  })
  app.addHook('onRequest', admit(limits))
  if (options.metrics) serveMetrics(app)

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const error = apiErrorFrom(err, req.log, req)
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
    reply.code(error.status).type(problemType).send(error.toProblem())
  })
  // Every /v0 operation whose request body is JSON (or that takes none) refuses other media types.
  app.addHook('onRoute', (route) => {
    if (!route.url?.startsWith('/v0/')) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.some((m) => bodyMethods.has(m) && bodyTypesOf(m, route.url).join() === 'application/json')) return
    route.preParsing = [refuseOtherThanJson, ...(route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing])]
  })
  app.setNotFoundHandler((req, reply) => {
    const problem = new ApiError('RESOURCE_NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0]}`).toProblem()
    reply.code(404).type(problemType).send(problem)
  })

  // Fastify's own JSON parser (it refuses __proto__ and constructor keys), between checks that keep
  // what cannot be stored faithfully out: invalid UTF-8 and nesting past a bound before parsing;
  // NUL, lone surrogates and numbers JSON cannot keep exactly after (src/platform/json-body.ts).
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, raw, done) => {
    let text: string
    try { text = jsonBodyText(raw as Buffer) } catch (err) { return done(err as Error, undefined) }
    req.bodyBytes = raw as Buffer
    parseJson(req, text, (err, body) => {
      if (err) return done(prototypeKeyRefusal(text) ?? err, undefined)
      try { checkJsonValues(body) } catch (e) { return done(e as Error, undefined) }
      done(null, body)
    })
  })

  app.decorateRequest('workspace', null as never)
  app.decorateRequest('bodyBytes', null)
  app.addHook('onRequest', authenticate(services.sql, limits))

  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get('/health/ready', async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined
    try {
      // A database that accepts connections but never answers must fail the probe, not hang it.
      await Promise.race([services.sql`select 1`, new Promise((_r, reject) => { timer = setTimeout(() => reject(new Error('timed out')), readyCheckTimeoutMs) })])
      if (options.ready && !options.ready()) throw new Error('not ready')
      return { status: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'unavailable', detail: 'database unreachable' })
    } finally {
      clearTimeout(timer)
    }
  })
  app.get('/v0/openapi.json', async () => openapi)
  if (options.metrics) {
    defineGauge({ name: 'keel_db_connections', help: "Connections Keel processes hold on the database, by state (pg_stat_activity)", labelNames: ['state'] as const }, async (g) => {
      g.reset()
      for (const { state, n } of await keelConnectionStates(services.sql)) g.set({ state }, n)
    })
    defineGauge({ name: 'keel_db_pool_size', help: "This process's database pool size" }, async (g) => { g.set(services.sql.options.max) })
    defineGauge({ name: 'keel_requests_in_flight', help: 'Requests this process holds (load shedding starts at keel_requests_in_flight_max)' }, async (g) => { g.set(limits.inFlight) })
    defineGauge({ name: 'keel_requests_in_flight_max', help: 'The load-shedding bound' }, async (g) => { g.set(limits.settings.requestsInFlightMax) })
  }
  await app.register(swagger, { mode: 'static', specification: { document: openapi as never } })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  const api = new Api(app, services)
  for (const domain of domains) domain.register(api)
  registerWipe(api, domains)
  return app
}
