// The floor a keyed transfer is measured against: a bare Fastify server, run as its own process
// (as Keel is), with one route at Keel's path that validates the body against the same JSON schema
// as Keel's createInternalTransfer (the spec's, compiled by the same ajv settings), then does one
// INSERT into the same PostgreSQL database through a pool of Keel's size, committed on its own
// (durable when the server's synchronous_commit is on). No authentication, no Idempotency-Key, no
// balances, no events, no request log (Fastify's default): what any route writing a row must pay.
//
// With BARE_ROUTE_WRITES=transfer it writes instead, per request, the rows a keyed transfer writes:
// its key's stored outcome (by view, as Keel stores a posted transfer's since migration 1570: the
// request's hash and the transfer's id, no answer's text), the record, two entries, both accounts'
// balances and an event, in one statement committed on its own (no group commit, no rules, no reads
// before): the floor for Keel's writes rather than for any write (`BENCH_FLOOR=1` in
// bench/transfers-realistic.ts).
//
// Started by bench/transfers-realistic.ts and bench/card-auth.ts with DATABASE_URL set, which create
// the tables first (bench_bare_transfers, bareRouteTableDdl in processes.ts; bench_floor_* with
// BENCH_FLOOR=1). Prints `{"port": N}` on its first line
// once listening.
import Fastify from 'fastify'
import { connect, poolSizeDefault } from '../../src/platform/db.js'
import { requestHashOf } from '../../src/platform/idempotency.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { compileBody } from '../../src/platform/validation.js'
import { operations } from '../../src/spec/schemas.js'

interface TransferBody { amount: number; currency: string; type: string; originating_account_id?: string; receiving_account_id?: string }

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is required')
  const sql = connect(url, poolSizeDefault)
  const validate = compileBody(operations.createInternalTransfer.body)
  const writesTransfer = process.env.BARE_ROUTE_WRITES === 'transfer'
  const app = Fastify() // Fastify's defaults: no logger, 1 MiB body limit (Keel's too)
  app.post('/v0/transactions/internal_transfer', async (req, reply) => {
    if (!validate(req.body)) {
      return reply.code(400).type('application/problem+json').send({ status: 400, code: 'BAD_REQUEST_BODY', title: 'Bad request body', detail: 'request body is not valid' })
    }
    const b = req.body as TransferBody
    const key = req.headers['idempotency-key']
    const id = uuidv7()
    const now = new Date()
    if (writesTransfer) {
      const answer = { id, status: 'COMPLETE', ...b }
      const from = b.originating_account_id ?? null
      const to = b.receiving_account_id ?? null
      // Both balances in one update, its rows locked in key order: two transfers between the same
      // accounts in opposite directions cannot deadlock.
      await sql`
        with answered as (
          insert into bench_floor_keys (key, request_hash, response_status, response_view, response_resource_id, created_at)
          values (${typeof key === 'string' ? key : id}, ${requestHashOf({ method: req.method, url: req.url, payload: Buffer.from(JSON.stringify(req.body)) })}, 200, 'internal_transfer', ${id}, ${now})),
        recorded as (
          insert into bench_floor_transfers (id, amount, currency, type, debit_account_id, credit_account_id, created_at)
          values (${id}, ${b.amount}, ${b.currency}, ${b.type}, ${from}, ${to}, ${now})),
        entered as (
          insert into bench_floor_entries (transfer_id, line, account_id, amount, created_at)
          values (${id}, 0, ${from}, ${-b.amount}, ${now}), (${id}, 1, ${to}, ${b.amount}, ${now})),
        balanced as (
          update bench_floor_accounts a set posted = a.posted + case when a.id = ${from}::uuid then ${-b.amount}::int8 else ${b.amount}::int8 end
          where a.id in (${from}::uuid, ${to}::uuid)),
        told as (
          insert into bench_floor_events (id, type, resource_id, created_at) values (${uuidv7()}, 'INTERNAL_TRANSFER.SUCCEEDED', ${id}, ${now}))
        select 1`
      return answer
    }
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
