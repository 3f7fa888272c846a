// When the next batch starts while one is in flight: once the batch in flight only commits, enough
// requests waiting go at once, decided and built during that commit; fewer wait for its end (or the
// wait for company). A batch's commit is held open here by a deferred trigger that waits on an
// advisory lock the test holds, so what happens during a commit can be seen however fast the
// machine is.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { committingCompanyMinDefault, ledgerAccountAt, LedgerBatcher, type LedgerRequest, type Participant } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { openFundedPair, transferRequest } from '../support/ledger-accounts.js'

let h: Harness
before(async () => {
  h = await startHarness()
  await h.sql.unsafe(`
    create table batch_commit_gate (batch_size int not null);
    create function batch_commit_gate_wait() returns trigger language plpgsql as $$
      begin perform pg_advisory_xact_lock(7341); return null; end $$;
    create constraint trigger batch_commit_gate_wait after insert on batch_commit_gate
      deferrable initially deferred for each row execute function batch_commit_gate_wait();`)
})
after(async () => { await h.close() })

const transferOf = (from: string, to: string, amount: bigint) => transferRequest(h.workspaces.a, from, to, amount)
const gateWaiters = async () => {
  const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = 7341 and not granted`
  return n
}
const turns = async (n: number) => { for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve)) }

describe('the batch after one that only commits', () => {
  it(`starts during that commit once ${committingCompanyMinDefault} requests wait, with all of them; fewer wait`, { timeout: 60_000 }, async () => {
    const first = await openFundedPair(h.sql, h.workspaces.a)
    const second = await openFundedPair(h.sql, h.workspaces.a)
    // Each batch writes a row into the gate table: its commit waits until the test lets go.
    const sizes: number[] = []
    const gated: Participant = {
      open: async (_tx, contexts) => contexts.map(() => undefined),
      close: (tx, done) => {
        sizes.push(done.length)
        return { writes: [tx`insert into batch_commit_gate (batch_size) values (${done.length})`], answers: done.map(() => undefined) }
      },
    }
    const gate = await h.sql.reserve()
    await gate`select pg_advisory_lock(7341)`
    // The wait for company never runs out here: a batch starts only when one is not in flight, or
    // when the one in flight only commits.
    const batcher = new LedgerBatcher(h.sql, { batchWaitMs: 600_000, nowOf: () => new Date() })
    const job = (r: LedgerRequest) => batcher.submit({ request: r, participant: gated })
    const outcomes = [job(transferOf(first.a, first.b, 1n))]
    while (await gateWaiters() === 0) await turns(1)
    // The first batch only commits. One request fewer than enough: they wait, though a batch has room.
    for (let i = 1; i < committingCompanyMinDefault; i++) outcomes.push(job(transferOf(second.a, second.b, 1n)))
    await turns(10)
    await h.sql`select 1`
    assert.deepEqual(sizes, [1], 'no batch started with too few waiting')
    // One more: all of them go as one batch, whose statements run and whose commit waits too, while
    // the first commit has not ended.
    outcomes.push(job(transferOf(second.a, second.b, 1n)))
    while (await gateWaiters() < 2) await turns(1)
    assert.deepEqual(sizes, [1, committingCompanyMinDefault])
    assert.equal(batcher.stats.batches, 0, 'neither commit has ended')
    await gate`select pg_advisory_unlock(7341)`
    gate.release()
    const results = await Promise.all(outcomes)
    assert.deepEqual(results.map((o) => o.result?.ok), outcomes.map(() => true))
    assert.deepEqual(batcher.stats, { batches: 2, jobs: 1 + committingCompanyMinDefault, relocked: 0, fromMemory: 0, reread: 0 })
    const posted = async (id: string) => (await ledgerAccountAt(h.sql, h.workspaces.a, id, new Date()))!.posted
    assert.deepEqual(await Promise.all([first.b, second.b].map(posted)), [1n, BigInt(committingCompanyMinDefault)])
  })
})
