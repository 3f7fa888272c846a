// The floor a keyed transfer is measured against: a bare Fastify server, run as its own process
// (as Keel is), with one route at Keel's path that validates the body against the same JSON schema
// as Keel's createInternalTransfer (the spec's, compiled by the same ajv settings), then does one
// INSERT into the same PostgreSQL database through a pool of Keel's size, committed on its own
// (durable when the server's synchronous_commit is on). No authentication, no Idempotency-Key, no
// balances, no events, no request log (Fastify's default): what any route writing a row must pay.
//
// Started by bench/transfers-realistic.ts with DATABASE_URL set, which creates the table first
// (bench_bare_transfers). Prints `{"port": N}` on its first line once listening.
import Fastify from 'fastify'
import { connect, poolSizeDefault } from '../../src/platform/db.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { compileBody } from '../../src/platform/validation.js'
import { operations } from '../../src/spec/schemas.js'

interface TransferBody { amount: number; currency: string; type: string; originating_account_id?: string; receiving_account_id?: string }

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is required')
  const sql = connect(url, poolSizeDefault)
  const validate = compileBody(operations.createInternalTransfer.body)
  const app = Fastify() // Fastify's defaults: no logger, 1 MiB body limit (Keel's too)
  app.post('/v0/transactions/internal_transfer', async (req, reply) => {
    if (!validate(req.body)) {
      return reply.code(400).type('application/problem+json').send({ status: 400, code: 'BAD_REQUEST_BODY', title: 'Bad request body', detail: 'request body is not valid' })
    }
    const b = req.body as TransferBody
    const key = req.headers['idempotency-key']
    const id = uuidv7()
    const now = new Date()
    await sql`insert into bench_bare_transfers (id, idempotency_key, amount, currency, type, originating_account_id, receiving_account_id, created_at)
              values (${id}, ${typeof key === 'string' ? key : null}, ${b.amount}, ${b.currency}, ${b.type}, ${b.originating_account_id ?? null}, ${b.receiving_account_id ?? null}, ${now})`
    return { id, status: 'COMPLETE', ...b }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  process.stdout.write(JSON.stringify({ port }) + '\n')
  const shutdown = async () => {
    await app.close()
    await sql.end({ timeout: 5 })
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown())
}

await main()
