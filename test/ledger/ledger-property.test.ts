// Random sequences of transfers, holds, captures, releases, expiries and group-committed batches
// over random accounts, against real PostgreSQL. After every step: the ledger audit is clean, every
// balance equals an independent model's, and a rejected operation changed nothing.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { applyInTransaction, auditLedger, expiredStatements, insertLedgerAccount, LedgerBatcher, type LedgerCommand, type LedgerRequest } from '../../src/ledger/index.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'

/** Fixed in CI so a failure reproduces; set KEEL_PROPERTY_SEED to explore. */
const seed = Number(process.env.KEEL_PROPERTY_SEED ?? 20261124)
const runs = Number(process.env.KEEL_PROPERTY_RUNS ?? 25)
const accountsPerRun = 5

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

interface ModelAccount { id: string; posted: bigint; held: bigint; floor: bigint | null; ceiling: bigint | null }
interface ModelHold { id: string; from: number; to: number; amount: bigint; status: 'PENDING' | 'DONE' }

type Command =
  | { kind: 'transfer'; from: number; to: number; amount: number; manual: boolean }
  | { kind: 'settle'; hold: number; action: 'capture' | 'cancel' | 'expire' }
  | { kind: 'batch'; transfers: { from: number; to: number; amount: number }[] }

const pair = fc.tuple(fc.nat(accountsPerRun - 1), fc.nat(accountsPerRun - 1)).filter(([a, b]) => a !== b)
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('transfer' as const), p: pair, amount: fc.integer({ min: 1, max: 120 }), manual: fc.boolean() })
    .map(({ p, amount, manual }) => ({ kind: 'transfer' as const, from: p[0], to: p[1], amount, manual })),
  fc.record({ kind: fc.constant('settle' as const), hold: fc.nat(20), action: fc.constantFrom('capture' as const, 'cancel' as const, 'expire' as const) }),
  fc.array(fc.record({ p: pair, amount: fc.integer({ min: 1, max: 120 }) }), { minLength: 2, maxLength: 12 })
    .map((ts) => ({ kind: 'batch' as const, transfers: ts.map(({ p, amount }) => ({ from: p[0], to: p[1], amount })) })),
)

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))

const fits = (from: ModelAccount, to: ModelAccount, amount: bigint, reserved: bigint) =>
  (from.floor === null || from.posted - from.held + reserved - amount >= from.floor) && (to.ceiling === null || to.posted + amount <= to.ceiling)

async function snapshot(workspaceId: string) {
  const rows = await h.sql<{ id: string; posted: bigint; held: bigint }[]>`select id, posted, held from ledger_accounts where workspace_id = ${workspaceId} order by id`
  const [counts] = await h.sql`select (select count(*) from ledger_transfers where workspace_id = ${workspaceId})::int as t,
    (select count(*) from ledger_entries where workspace_id = ${workspaceId})::int as e,
    (select count(*) from ledger_holds where workspace_id = ${workspaceId} and status = 'PENDING')::int as h`
  return show({ rows, counts })
}

describe('ledger properties', () => {
  it(`keeps its invariants over random operation sequences (seed ${seed})`, async () => {
    const ws = await h.newWorkspace('property', 'sandbox')
    const batcher = new LedgerBatcher(h.sql, { batchSizeMax: 64, nowOf: () => new Date() })
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
      const now = new Date()
      // Fresh accounts per run: a source with an unbounded floor, one overdraft, one capped.
      const model: ModelAccount[] = Array.from({ length: accountsPerRun }, (_, i) => ({
        id: uuidv7(), posted: 0n, held: 0n,
        floor: i === 0 ? null : i === 1 ? -100n : 0n,
        ceiling: i === 2 ? 300n : null,
      }))
      for (const a of model) {
        await insertLedgerAccount(h.sql, { workspace_id: ws.id, id: a.id, kind: 'ACCOUNT', account_number: a.id.replace(/-/g, '').slice(0, 20), currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access_status: 'ACTIVE', floor: a.floor, ceiling: a.ceiling, created_at: now })
      }
      const holds: ModelHold[] = []
      const meta = { kind: 'INTERNAL_TRANSFER', type: 'ACCOUNT_TO_ACCOUNT' }
      const newTransfer = (from: number, to: number, amount: number, manual: boolean): LedgerCommand => (manual
        ? { id: uuidv7(), kind: 'pending', debitAccountId: model[from].id, creditAccountId: model[to].id, amount: BigInt(amount), currency: 'USD', expiresAt: new Date(now.getTime() + 60_000), meta }
        : { id: uuidv7(), kind: 'post', legs: [{ accountId: model[from].id, amount: -BigInt(amount), currency: 'USD' }, { accountId: model[to].id, amount: BigInt(amount), currency: 'USD' }], meta })
      const request = (command: LedgerCommand, at = now): LedgerRequest => ({ workspaceId: ws.id, now: at, partnerVerified: true, commands: [command] })
      const apply = (r: LedgerRequest) => h.sql.begin((tx) => applyInTransaction(tx, [r], { expiredStatements, nowOf: () => r.now })).then((x) => (x as Awaited<ReturnType<typeof applyInTransaction>>)[0])
      /** Applies one transfer to the model; says whether it should have been accepted. */
      const applyModel = (from: number, to: number, amount: bigint, manual: boolean, id: string): boolean => {
        if (!fits(model[from], model[to], amount, 0n)) return false
        if (manual) { model[from].held += amount; holds.push({ id, from, to, amount, status: 'PENDING' }) } else { model[from].posted -= amount; model[to].posted += amount }
        return true
      }
      for (const c of commands) {
        const before = await snapshot(ws.id)
        let rejected = false
        if (c.kind === 'transfer') {
          const t = newTransfer(c.from, c.to, c.amount, c.manual)
          const outcome = await apply(request(t))
          const expected = applyModel(c.from, c.to, BigInt(c.amount), c.manual, t.id)
          assert.equal(outcome.ok, expected, show({ c, outcome }))
          rejected = !outcome.ok
        } else if (c.kind === 'settle') {
          const hold = holds[c.hold % Math.max(holds.length, 1)]
          if (!hold) continue
          // Captured in full (final), voided, or expired by a clock past its expiry.
          const command: LedgerCommand = c.action === 'capture' ? { id: uuidv7(), kind: 'post_pending', pendingId: hold.id, final: true, meta }
            : c.action === 'cancel' ? { id: uuidv7(), kind: 'void_pending', pendingId: hold.id, meta } : { id: uuidv7(), kind: 'expire_pending', pendingId: hold.id, meta }
          const outcome = await apply(request(command, c.action === 'expire' ? new Date(now.getTime() + 60_000) : now))
          const from = model[hold.from]
          const to = model[hold.to]
          const expected = hold.status === 'PENDING' && (c.action !== 'capture' || fits(from, to, hold.amount, hold.amount))
          assert.equal(outcome.ok, expected, show({ c, hold, outcome }))
          if (expected) {
            from.held -= hold.amount
            if (c.action === 'capture') { from.posted -= hold.amount; to.posted += hold.amount }
            hold.status = 'DONE'
          } else rejected = true
        } else {
          // A group-committed batch: each transfer decided on its own, in submission order.
          const jobs = c.transfers.map((t) => newTransfer(t.from, t.to, t.amount, false))
          const results = await Promise.all(jobs.map((command) => batcher.submit({ request: request(command) })))
          results.forEach((r, i) => {
            const expected = applyModel(c.transfers[i].from, c.transfers[i].to, BigInt(c.transfers[i].amount), false, jobs[i].id)
            assert.equal(r.result!.ok, expected, show({ t: c.transfers[i], r }))
            if (!r.result!.ok) assert.match(r.result!.code, /insufficient_funds|ceiling_exceeded/)
          })
        }
        if (rejected) assert.equal(await snapshot(ws.id), before, 'a rejected operation changed nothing')
        const report = await auditLedger(h.sql, ws.id)
        assert.deepEqual(report.discrepancies, [])
        const stored = await h.sql<{ id: string; posted: bigint; held: bigint }[]>`select id, posted, held from ledger_accounts where id = any(${model.map((a) => a.id)}::uuid[])`
        for (const row of stored) {
          const m = model.find((a) => a.id === row.id)!
          assert.deepEqual([row.posted, row.held], [m.posted, m.held], `balances of account ${model.indexOf(m)}`)
        }
      }
    }), { seed, numRuns: runs, includeErrorInReport: true })
    assert.ok(batcher.stats.batches > 0)
    assert.ok(batcher.stats.jobs > batcher.stats.batches, 'some batches held several transfers')
  })
})
