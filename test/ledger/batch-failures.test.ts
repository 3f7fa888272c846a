// How a group-committed batch fails: a statement PostgreSQL refuses rolls the batch back, and each
// request is then run on its own, in the batch's order, so only the one that caused it fails, nothing
// is applied twice, and a request that needs an earlier one's funds still has them.
// A batch that finds rows changed since it read them is decided again; and a request whose
// exclusive name a batch in flight holds waits for the next batch.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { applyInTransaction, auditLedger, ledgerAccountAt, LedgerBatcher, type LedgerRequest, type Participant } from '../../src/ledger/index.js'
import { claimKeys, expectKeysFree, idempotencyKeyRetentionMs, storeOutcomes, type KeyClaim } from '../../src/platform/idempotency.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { openFundedPair, openLedgerAccount, transferRequest } from '../support/ledger-accounts.js'
import { signal } from '../support/signal.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const ledgerAccount = (floor: bigint | null = null) => openLedgerAccount(h.sql, h.workspaces.a, floor)

const transferOf = (from: string, to: string, amount: bigint, details: Record<string, unknown> = {}) => transferRequest(h.workspaces.a, from, to, amount, details)
const twoAccountsOneFunded = () => openFundedPair(h.sql, h.workspaces.a)
const postedOf = async (id: string) => (await ledgerAccountAt(h.sql, h.workspaces.a, id, new Date()))!.posted

describe('a batch that PostgreSQL refuses', () => {
  it('is rolled back and run again a request at a time: only the refused one fails', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { batchWaitMs: 50, nowOf: () => new Date() })
    const job = (r: LedgerRequest) => batcher.submit({ request: r })
    // jsonb refuses \u0000: the rules accept this transfer, its INSERT fails the whole statement.
    const outcomes = await Promise.allSettled([
      job(transferOf(a, b, 100n)),
      job(transferOf(a, b, 200n, { note: '\u0000' })),
      // b holds nothing until the first transfer: this one needs it applied first.
      job(transferOf(b, a, 50n)),
    ])
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled'])
    assert.equal((outcomes[1] as PromiseRejectedResult).reason.name, 'PostgresError')
    // Each accepted transfer applied exactly once, the refused one not at all.
    assert.equal(await postedOf(a), 1000n - 100n + 50n)
    assert.equal(await postedOf(b), 100n - 50n)
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
    // The batch of three never committed; the two that succeeded did, one each.
    assert.deepEqual(batcher.stats, { batches: 2, jobs: 2, relocked: 0, fromMemory: 0, reread: 0 })
  })

  it('runs them again in the batch\'s order: a chain of transfers, each paid from the one before', async () => {
    const { a } = await twoAccountsOneFunded()
    const chain = [a, ...await Promise.all(Array.from({ length: 6 }, () => ledgerAccount(0n)))]
    const batcher = new LedgerBatcher(h.sql, { batchWaitMs: 50, nowOf: () => new Date() })
    const job = (r: LedgerRequest) => batcher.submit({ request: r })
    // Each link moves 100 from an account that holds nothing until the link before it lands.
    const links = chain.slice(1).map((to, i) => job(transferOf(chain[i], to, 100n)))
    const refused = job(transferOf(a, chain[1], 1n, { note: '\u0000' }))
    const outcomes = await Promise.allSettled([...links, refused])
    assert.deepEqual(outcomes.map((o) => o.status), [...links.map(() => 'fulfilled'), 'rejected'])
    assert.deepEqual(outcomes.slice(0, links.length).map((o) => (o as PromiseFulfilledResult<{ result?: { ok: boolean } }>).value.result?.ok), links.map(() => true))
    assert.deepEqual(await Promise.all(chain.map(postedOf)), [900n, 0n, 0n, 0n, 0n, 0n, 100n])
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
  })
})

describe('a batch whose accounts change after it read them', () => {
  it('finds them changed when it locks them with its writes, and is decided again on what they are now', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date() })
    // Another transaction takes 900 of a's 1000 and holds a's row until told to commit.
    const otherMayCommit = signal()
    const otherLocked = signal()
    const other = h.sql.begin(async (tx) => {
      const [result] = await applyInTransaction(tx, [transferOf(a, b, 900n)], { nowOf: () => new Date() })
      assert.ok(result.ok)
      otherLocked.fire()
      await otherMayCommit.promise
    })
    await otherLocked.promise
    // The batch reads a as last committed (1000 available) and decides 500 fits; its writes then
    // wait for a's row. Once they wait, the other transaction commits.
    const outcome = batcher.submit({ request: transferOf(a, b, 500n) })
    for (let waiting = 0; waiting === 0;) {
      ;[{ waiting }] = await h.sql<{ waiting: number }[]>`
        select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%ledger_expect_rows%'`
    }
    otherMayCommit.fire()
    await other
    // a holds 100 now: decided again under its lock, the 500 is refused, and nothing of it landed.
    const { result } = await outcome
    assert.equal(result?.ok, false)
    assert.equal(result?.ok === false && result.code, 'insufficient_funds')
    assert.equal(await postedOf(a), 100n)
    assert.equal(await postedOf(b), 900n)
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
    assert.deepEqual(batcher.stats, { batches: 1, jobs: 1, relocked: 1, fromMemory: 0, reread: 0 })
  })
})

describe('requests naming spend locks', () => {
  it('never join a batch while a batch in flight holds one of their spend locks', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date() })
    // The first batch stays in flight, in its first round trip, until the test lets it go.
    const gate = signal()
    const isOpen = signal()
    const held: Participant = {
      async open(_tx, contexts) { isOpen.fire(); await gate.promise; return contexts.map(() => undefined) },
      close: (_tx, done) => ({ writes: [], answers: done.map(() => undefined) }),
    }
    const done: string[] = []
    const [x, y] = [{ workspaceId: h.workspaces.a, id: a }, { workspaceId: h.workspaces.a, id: b }]
    const first = batcher.submit({ request: transferOf(a, b, 1n), participant: held, spendLocks: [x] }).then(() => done.push('first x'))
    await isOpen.promise
    const sameName = batcher.submit({ request: transferOf(a, b, 2n), spendLocks: [x] }).then(() => done.push('second x'))
    const otherName = batcher.submit({ request: transferOf(a, b, 3n), spendLocks: [y] }).then(() => done.push('y'))
    await otherName
    assert.deepEqual(done, ['y'], 'the request named y went in a batch of its own; the one named x waits')
    gate.fire()
    await Promise.all([first, sameName])
    assert.deepEqual(done, ['y', 'first x', 'second x'])
    assert.equal(batcher.stats.batches, 3)
    assert.equal(await postedOf(b), 6n)
  })
})

describe('an account a batch only reads', () => {
  it('is locked for share: a hold does not wait for another reader of its credit side, a transfer to it does', async () => {
    const { a } = await twoAccountsOneFunded()
    const credited = await ledgerAccount(null)
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date() })
    const holdOf = (amount: bigint): LedgerRequest => ({
      workspaceId: h.workspaces.a, now: new Date(), partnerVerified: true,
      commands: [{ id: uuidv7(), kind: 'pending', debitAccountId: a, creditAccountId: credited, amount, currency: 'USD', expiresAt: new Date(Date.now() + 86_400_000), meta: { kind: 'TEST', type: 'ACCOUNT_TO_ACCOUNT', details: {} } }],
    })
    // Another transaction holds the credited account's row FOR SHARE (as a batch holding against it
    // does) until told to end.
    const otherMayEnd = signal()
    const otherLocked = signal()
    const other = h.sql.begin(async (tx) => {
      await tx`select 1 from ledger_accounts where workspace_id = ${h.workspaces.a} and id = ${credited} for share`
      otherLocked.fire()
      await otherMayEnd.promise
    })
    await otherLocked.promise
    const waitingOnLock = async () => {
      const [{ n }] = await h.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%ledger_expect_rows%'`
      return n > 0
    }
    // The hold changes only a's balances: it commits while the other transaction still reads.
    const settledFlag = (p: Promise<unknown>) => {
      const flag = { settled: false }
      void p.then(() => { flag.settled = true }, () => { flag.settled = true })
      return flag
    }
    const held = batcher.submit({ request: holdOf(100n) })
    const heldFlag = settledFlag(held)
    while (!heldFlag.settled) assert.equal(await waitingOnLock(), false, 'the hold waited for a reader of its credit side')
    assert.equal((await held).result?.ok, true)
    // A transfer credits the account: it waits for the reader to end.
    const posted = batcher.submit({ request: transferOf(a, credited, 100n) })
    const postedFlag = settledFlag(posted)
    let waited = false
    while (!waited && !postedFlag.settled) waited = await waitingOnLock()
    assert.ok(waited, 'the transfer waited for the reader of the account it credits')
    otherMayEnd.fire()
    await other
    assert.equal((await posted).result?.ok, true)
    assert.equal(await postedOf(credited), 100n)
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
  })
})

describe('a batch decided from memory', () => {
  // Ids minted for their requests, as an internal transfer's are: no read for ids already taken.
  const minted = (r: LedgerRequest): LedgerRequest => ({ ...r, mintedIds: true })
  const holdOf = (from: string, to: string, amount: bigint, expiresAt: Date): LedgerRequest => minted({
    workspaceId: h.workspaces.a, now: new Date(), partnerVerified: true,
    commands: [{ id: uuidv7(), kind: 'pending', debitAccountId: from, creditAccountId: to, amount, currency: 'USD', expiresAt, meta: { kind: 'TEST', type: 'ACCOUNT_TO_ACCOUNT', details: {} } }],
  })

  it('is decided on the accounts as this process left them, with no read first', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date() })
    // The first batch reads a and b; the second knows them as the first left them.
    assert.equal((await batcher.submit({ request: minted(transferOf(a, b, 100n)) })).result?.ok, true)
    assert.equal((await batcher.submit({ request: minted(transferOf(b, a, 30n)) })).result?.ok, true)
    const refused = (await batcher.submit({ request: minted(transferOf(b, a, 71n)) })).result
    assert.equal(refused?.ok === false && refused.code, 'insufficient_funds', 'b holds 70 as known from the batches before')
    assert.equal(await postedOf(a), 930n)
    assert.equal(await postedOf(b), 70n)
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
    assert.deepEqual(batcher.stats, { batches: 3, jobs: 3, relocked: 0, fromMemory: 2, reread: 0 })
  })

  it('takes, with its opening statement, the sequence numbers the batches after it use: never a read for them', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date() })
    // More batches than one block of numbers (seqBlockSize, 256) holds: only the first reads.
    const count = 300
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const request = minted(transferOf(i % 2 ? b : a, i % 2 ? a : b, 1n))
      ids.push(request.commands[0].id)
      assert.equal((await batcher.submit({ request })).result?.ok, true)
    }
    assert.deepEqual(batcher.stats, { batches: count, jobs: count, relocked: 0, fromMemory: count - 1, reread: 0 })
    const seqs = (await h.sql<{ seq: string }[]>`select seq::text from ledger_transfers where workspace_id = ${h.workspaces.a} and id = any(${ids}::uuid[]) order by id`).map((r) => BigInt(r.seq))
    assert.equal(seqs.length, count)
    // In the order posted (ids are time-ordered), each above the one before.
    assert.ok(seqs.every((n, i) => i === 0 || n > seqs[i - 1]), 'sequence numbers in the order posted')
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
  })

  it('runs again reading when an account is not as known, and decides on what it is', async () => {
    const { a, b } = await twoAccountsOneFunded()
    // No cooling: the accounts are known again as soon as they are read.
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date(), knownAccountsCoolMs: 0 })
    assert.equal((await batcher.submit({ request: minted(transferOf(a, b, 100n)) })).result?.ok, true)
    // Another path takes 850 of the 900 this process knows a holds.
    await h.sql.begin((tx) => applyInTransaction(tx, [transferOf(a, b, 850n)], { nowOf: () => new Date() }))
    const { result } = await batcher.submit({ request: minted(transferOf(a, b, 500n)) })
    assert.equal(result?.ok === false && result.code, 'insufficient_funds')
    assert.equal(await postedOf(a), 50n)
    assert.equal(await postedOf(b), 950n)
    // Read again, a is known as it is: the next batch is decided from memory, and lands.
    assert.equal((await batcher.submit({ request: minted(transferOf(a, b, 50n)) })).result?.ok, true)
    assert.equal(await postedOf(a), 0n)
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
    assert.deepEqual(batcher.stats, { batches: 3, jobs: 3, relocked: 0, fromMemory: 1, reread: 1 })
  })

  it('runs again reading when a hold on its accounts is past its expiry, which is released first', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date() })
    // A hold of 900 of a's 1000, expiring in a moment; a is known with it.
    const expiresAt = new Date(Date.now() + 60_000)
    assert.equal((await batcher.submit({ request: holdOf(a, b, 900n, expiresAt) })).result?.ok, true)
    // A minute later by the request's time: known, a has 100 available; with its hold expired, 1000.
    const later = { ...transferOf(a, b, 600n), now: new Date(expiresAt.getTime() + 1000), mintedIds: true }
    const { result } = await batcher.submit({ request: later })
    assert.equal(result?.ok, true)
    assert.equal(await postedOf(a), 400n)
    const [hold] = await h.sql<{ status: string }[]>`select status from ledger_holds where workspace_id = ${h.workspaces.a} and account_id = ${a}`
    assert.equal(hold.status, 'EXPIRED')
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
    assert.equal(batcher.stats.reread, 1)
  })

  it('claims Idempotency-Keys with its writes, and runs again reading when one is used, in flight or past its window', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date(), knownAccountsCoolMs: 0 })
    // The internal-transfer rail's way with keys, reduced: a used key settles its request as 'replayed'.
    const keyed: Participant<KeyClaim, string> = {
      async open(tx, claims) { return (await claimKeys(tx, claims)).map((o) => (o === undefined ? undefined : o instanceof Error ? o.message : 'replayed')) },
      expectUnsettled: (tx, claims) => ({ opening: [expectKeysFree(tx, claims)] }),
      close: (tx, done) => ({ writes: [storeOutcomes(tx, done.map((d) => ({ ...d.context, status: 200, json: '{}' })))], answers: done.map(() => 'made') }),
    }
    const claimOf = (key: string, now = new Date()): KeyClaim => ({ workspaceId: h.workspaces.a, key, requestHash: 'h', now })
    const send = async (claim: KeyClaim) => (await batcher.submit({ request: minted(transferOf(a, b, 1n)), participant: keyed, context: claim })).answer
    const [k1, k2] = [uuidv7(), uuidv7()]
    assert.equal(await send(claimOf(k1)), 'made')
    assert.equal(await send(claimOf(k2)), 'made')
    assert.deepEqual([batcher.stats.fromMemory, batcher.stats.reread], [1, 0])
    assert.equal(await send(claimOf(k1)), 'replayed')
    assert.deepEqual([batcher.stats.fromMemory, batcher.stats.reread], [1, 1])
    // A key another transaction holds: in flight.
    const k3 = uuidv7()
    const held = signal()
    const release = signal()
    const other = h.sql.begin(async (tx) => { await claimKeys(tx, [claimOf(k3)]); held.fire(); await release.promise })
    await held.promise
    assert.equal(await send(claimOf(k3)), 'a request with this Idempotency-Key is still in progress')
    release.fire()
    await other
    assert.deepEqual([batcher.stats.fromMemory, batcher.stats.reread], [1, 2])
    // An outcome past the retention window: deleted when claimed reading, and the transfer runs.
    assert.equal(await send(claimOf(k2, new Date(Date.now() + idempotencyKeyRetentionMs + 1000))), 'made')
    assert.deepEqual([batcher.stats.fromMemory, batcher.stats.reread], [1, 3])
    assert.equal(await postedOf(b), 3n, 'made three times; the replay and the refusal moved nothing')
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
  })

  it('is not tried again for a while on accounts another process keeps changing', async () => {
    // Two batchers are two processes: each changes a and b in turn, so what each knows is always stale.
    const run = async (coolMs: number) => {
      const { a, b } = await twoAccountsOneFunded()
      const first = new LedgerBatcher(h.sql, { nowOf: () => new Date(), knownAccountsCoolMs: coolMs })
      const second = new LedgerBatcher(h.sql, { nowOf: () => new Date(), knownAccountsCoolMs: coolMs })
      for (let i = 0; i < 4; i++) {
        for (const batcher of [first, second]) assert.equal((await batcher.submit({ request: minted(transferOf(a, b, 1n)) })).result?.ok, true)
      }
      assert.equal(await postedOf(a), 1000n - 8n)
      assert.deepEqual((await auditLedger(h.sql, h.workspaces.a)).discrepancies, [])
      return [first.stats, second.stats].map((s) => [s.fromMemory, s.reread])
    }
    // Without cooling, every batch after each process's first tries memory, fails, and reads again.
    assert.deepEqual(await run(0), [[0, 3], [0, 3]])
    // Cooling (longer than the test), each process fails once, then reads.
    assert.deepEqual(await run(60_000), [[0, 1], [0, 1]])
  })

  it('is never made when the process keeps no accounts (knownAccountsMax 0)', async () => {
    const { a, b } = await twoAccountsOneFunded()
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date(), knownAccountsMax: 0 })
    for (let i = 0; i < 3; i++) assert.equal((await batcher.submit({ request: minted(transferOf(a, b, 1n)) })).result?.ok, true)
    assert.deepEqual(batcher.stats, { batches: 3, jobs: 3, relocked: 0, fromMemory: 0, reread: 0 })
  })
})
