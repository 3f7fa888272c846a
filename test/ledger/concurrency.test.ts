// Two Keel processes on one PostgreSQL database, thousands of concurrent transfers over random
// accounts and one hot account, some sent twice at once to both processes, all with
// Idempotency-Keys and retries. Afterwards `keel ledger check` is clean, no transfer was applied
// twice, every balance is what the accepted transfers make it, and no client saw a deadlock,
// serialization failure or 500.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { startKeel, type KeelProcess } from '../support/keel-process.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'

const transfersTotal = Number(process.env.KEEL_CONCURRENCY_TRANSFERS ?? 3000)
const accountsCount = 30
const openingCents = 5_000
const clientConcurrency = 64
/** Share of transfers debiting the one hot funding account, and share sent twice at once. */
const hotShare = 0.3
const duplicateShare = 0.1
/** Fixed so that a failure reproduces with the same plan; set KEEL_CONCURRENCY_SEED to explore. */
const planSeed = Number(process.env.KEEL_CONCURRENCY_SEED ?? 20261129)
const retriesMax = 20
const retryDelayMs = 5

let h: Harness
const servers: KeelProcess[] = []
before(async () => {
  h = await startHarness()
  servers.push(...(await Promise.all([startKeel(h.databaseUrl), startKeel(h.databaseUrl)])))
})
after(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await h.close()
})

interface Planned { key: string; from: string; to: string; amount: number; twice: boolean }
interface Final { status: number; code?: string; id?: string }

async function send(p: Planned, serverIndex: number): Promise<Final[]> {
  const seen: Final[] = []
  for (let attempt = 0; attempt < retriesMax; attempt++) {
    const server = servers[(serverIndex + attempt) % servers.length]
    let res: Response
    try {
      res = await fetch(`${server.url}/v0/transactions/internal_transfer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.keys.a}`, 'content-type': 'application/json', 'idempotency-key': p.key },
        body: JSON.stringify({ amount: p.amount, currency: 'USD', type: 'ACCOUNT_TO_ACCOUNT', originating_account_id: p.from, receiving_account_id: p.to }),
      })
    } catch {
      await new Promise((r) => setTimeout(r, retryDelayMs))
      continue // a lost connection is what Idempotency-Key retries are for
    }
    const body = await res.json() as { id?: string; code?: string; detail?: string }
    if (res.status === 422 && body.code === 'IDEMPOTENCY_CONCURRENT_USE') {
      await new Promise((r) => setTimeout(r, retryDelayMs))
      continue
    }
    seen.push({ status: res.status, code: body.code, id: body.id })
    assert.ok(!/deadlock|serializ/i.test(JSON.stringify(body)), `client saw ${JSON.stringify(body)}`)
    return seen
  }
  throw new Error(`transfer ${p.key} still in flight after ${retriesMax} attempts`)
}

describe('two Keel processes, one database', () => {
  it(`applies ${transfersTotal} concurrent transfers exactly once and keeps the ledger whole`, { timeout: 600_000 }, async () => {
    const funding = await fundingAccount(h)
    const accounts: string[] = []
    for (let i = 0; i < accountsCount; i++) {
      const a = await openAccount(h)
      assert.equal((await transfer(h, { amount: openingCents, originating_account_id: funding.id, receiving_account_id: a.id })).status, 200)
      accounts.push(a.id)
    }
    const [{ fundingStart }] = await h.sql<{ fundingStart: bigint }[]>`select posted as "fundingStart" from ledger_accounts where id = ${funding.id}`
    // The plan is drawn from a fixed seed, so a failure reproduces with the same transfers (the
    // interleaving of two processes is the machine's; the plan is not).
    const draws = fc.sample(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(accountsCount - 1), fc.nat(accountsCount - 2), fc.integer({ min: 1, max: 1500 }), fc.double({ min: 0, max: 1, noNaN: true })), { seed: planSeed, numRuns: transfersTotal })
    const plan: Planned[] = draws.map(([hotRoll, fromAt, toAt, amount, twiceRoll]) => {
      const hot = hotRoll < hotShare
      const from = hot ? funding.id : accounts[fromAt]
      // Any account but the debited one.
      const others = accounts.filter((a) => a !== from)
      const to = others[toAt % others.length]
      return { key: uuidv7(), from, to, amount: hot ? 1 + (amount % 500) : amount, twice: twiceRoll < duplicateShare }
    })

    const finals = new Map<string, Final[]>()
    let next = 0
    const worker = async (w: number) => {
      while (next < plan.length) {
        const p = plan[next++]
        const sends = p.twice ? [send(p, 0), send(p, 1)] : [send(p, w % servers.length)]
        finals.set(p.key, (await Promise.all(sends)).flat())
      }
    }
    const started = Date.now()
    await Promise.all(Array.from({ length: clientConcurrency }, (_, w) => worker(w)))
    const elapsedMs = Date.now() - started

    // Every answer is a success or an expected rule outcome; a key's successes name one transfer.
    const accepted = new Map<string, Planned>()
    for (const p of plan) {
      const answers = finals.get(p.key)!
      for (const a of answers) assert.ok(a.status === 200 || (a.status === 422 && a.code === 'INSUFFICIENT_FUNDS'), JSON.stringify(a))
      const ids = new Set(answers.filter((a) => a.status === 200).map((a) => a.id))
      assert.ok(ids.size <= 1, `key ${p.key} answered with transfers ${[...ids]}`)
      if (ids.size === 1) accepted.set(p.key, p)
    }
    const twice = await h.sql`select idempotency_key from ledger_transfers where workspace_id = ${h.workspaces.a} and idempotency_key is not null group by 1 having count(*) > 1`
    assert.equal(twice.length, 0, 'no transfer applied twice')
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from ledger_transfers where workspace_id = ${h.workspaces.a} and idempotency_key = any(${plan.map((p) => p.key)}::text[])`
    assert.equal(n, accepted.size)

    // Balances are exactly what the accepted transfers make them.
    const expected = new Map<string, bigint>([[funding.id, fundingStart], ...accounts.map((a) => [a, BigInt(openingCents)] as [string, bigint])])
    for (const p of accepted.values()) {
      expected.set(p.from, expected.get(p.from)! - BigInt(p.amount))
      expected.set(p.to, expected.get(p.to)! + BigInt(p.amount))
    }
    const rows = await h.sql<{ id: string; posted: bigint }[]>`select id, posted from ledger_accounts where id = any(${[...expected.keys()]}::uuid[])`
    for (const r of rows) assert.equal(r.posted, expected.get(r.id), `balance of ${r.id}`)

    const check = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.mjs'), 'ledger', 'check'], {
      env: { ...process.env, DATABASE_URL: h.databaseUrl }, encoding: 'utf8',
    })
    assert.equal(check.status, 0, check.stdout + check.stderr)
    assert.match(check.stdout, /clean: no discrepancies/)
    const rejected = plan.length - accepted.size
    console.log(`# ${plan.length} transfers (${plan.filter((p) => p.twice).length} sent twice) in ${elapsedMs} ms over 2 processes: ${accepted.size} applied, ${rejected} INSUFFICIENT_FUNDS`)
  })
})
