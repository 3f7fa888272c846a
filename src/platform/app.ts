import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { domains } from '../domains.js'
import openapi from '../spec/openapi.json' with { type: 'json' }
import { Api, type Services } from './http.js'
import { AssertionFailed } from './assert.js'
import { authenticate, recordRoutes } from './auth.js'
import { ApiError, internalProblem, type Problem } from './errors.js'
import { uuidv7 } from './ids.js'
import { registerWipe } from './wipe.js'

export const bodyLimitBytes = 1024 * 1024
const problemType = 'application/problem+json'

function problemFrom(err: FastifyError | Error, log: Logger | FastifyInstance['log']): Problem {
  if (err instanceof ApiError) return err.toProblem()
  const code = (err as FastifyError).code
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new ApiError('PAYLOAD_TOO_LARGE', `request body is larger than ${bodyLimitBytes} bytes`).toProblem()
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json').toProblem()
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new ApiError('BAD_REQUEST_BODY', 'request body is empty').toProblem()
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new ApiError('BAD_REQUEST_BODY', 'request body is not valid JSON').toProblem()
  }
  const status = (err as FastifyError).statusCode
  if (err instanceof SyntaxError && status === 400) return new ApiError('BAD_REQUEST_BODY', 'request body is not valid JSON').toProblem()
  if (status && status >= 400 && status < 500) return new ApiError('BAD_REQUEST', err.message).toProblem()
  log.error({ err, assertion: err instanceof AssertionFailed }, 'request failed')
  return internalProblem()
}

/** Whether JSON text has a \u0000 escape (not merely an escaped backslash before "u0000"). */
export function spellsNul(json: string): boolean {
  return json.includes('\\u0000') && /(?:^|[^\\])(?:\\\\)*\\u0000/.test(json)
}

export async function buildApp(services: Services, logger: Logger): Promise<FastifyInstance> {
  const app = (Fastify({
    loggerInstance: logger,
    bodyLimit: bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && given.length > 0 && given.length <= 200 ? given : uuidv7()
    },
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown) as FastifyInstance
  recordRoutes(app)

  // Hooks in callback style: an async hook costs every request a promise and a turn of the queue.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id)
    done()
  })

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const problem = problemFrom(err, req.log)
    reply.code(problem.status).type(problemType).send(problem)
  })
  app.setNotFoundHandler((req, reply) => {
    const problem = new ApiError('RESOURCE_NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0]}`).toProblem()
    reply.code(404).type(problemType).send(problem)
  })

  // PostgreSQL text cannot hold the NUL character: a body that spells one (\u0000) is refused here,
  // as bad input, rather than failing in the database as a 500. Otherwise Fastify's own parser.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (spellsNul(body as string)) return done(new ApiError('BAD_REQUEST_BODY', 'strings may not contain the NUL character (\\u0000)'), undefined)
    parseJson(req, body as string, done)
  })

  app.decorateRequest('workspace', null as never)
  app.addHook('onRequest', authenticate(services.sql))

  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get('/health/ready', async (_req, reply) => {
    try {
      await services.sql`select 1`
      return { status: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'unavailable', detail: 'database unreachable' })
    }
  })
  app.get('/v0/openapi.json', async () => openapi)
  await app.register(swagger, { mode: 'static', specification: { document: openapi as never } })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  const api = new Api(app, services)
  for (const domain of domains) domain.register(api)
  registerWipe(api, domains)
  return app
}
