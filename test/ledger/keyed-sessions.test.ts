// A ledger batch runs on a keyed session (connectKeyed): every statement on the one plan the session
// made for it, with scans ruled out, and those plans made again once a table has doubled since. The
// plans are read back from PostgreSQL (test/support/plans.ts): how many times each statement ran on
// a kept plan or a fresh one, and which index each kept plan reads every table through.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { applyInTransaction, LedgerBatcher, type LedgerRequest } from '../../src/ledger/index.js'
import { connectKeyed, type Sql } from '../../src/platform/db.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { openLedgerAccount } from '../support/ledger-accounts.js'
import { keptPlans } from '../support/plans.js'

let h: Harness
let one: Sql
before(async () => {
  h = await startHarness()
  one = connectKeyed(h.databaseUrl, 1)
})
after(async () => {
  await one.end()
  await h.close()
})

const ledgerAccount = (floor: bigint | null = null) => openLedgerAccount(h.sql, h.workspaces.a, floor)

const meta = { kind: 'TEST', type: 'ACCOUNT_TO_ACCOUNT', details: {} }
const request = (commands: LedgerRequest['commands']): LedgerRequest => ({ workspaceId: h.workspaces.a, now: new Date(), partnerVerified: true, commands })
const post = (from: string, to: string): LedgerRequest => request([{ id: uuidv7(), kind: 'post', legs: [{ accountId: from, amount: -1n, currency: 'USD' }, { accountId: to, amount: 1n, currency: 'USD' }], meta }])
const hold = (from: string, to: string, id = uuidv7()): LedgerRequest => request([{ id, kind: 'pending', debitAccountId: from, creditAccountId: to, amount: 2n, currency: 'USD', expiresAt: new Date(Date.now() + 86_400_000), meta }])
const capture = (pendingId: string): LedgerRequest => request([{ id: uuidv7(), kind: 'post_pending', pendingId, amount: 1n, final: false, meta }])

const setting = async (name: string) => (await one<{ v: string | null }[]>`select current_setting(${name}, true) as v`)[0].v
const renewedAt = () => setting('keel.plans_renewed_at')
/** The tables' sizes in pages when the plans were last made, as the session recorded them. */
const pagesRecorded = async (): Promise<Record<string, number>> => JSON.parse((await setting('keel.plans_pages')) ?? '{}')

let a: string
let b: string

it('runs every statement of a batch on the plan its session keeps, and renews the plans once they are old', async () => {
  a = await ledgerAccount()
  b = await ledgerAccount()
  await h.sql.begin((tx) => applyInTransaction(tx, [post(b, a)], { nowOf: () => new Date() }))
  const batcher = new LedgerBatcher(one, { nowOf: () => new Date(), plansCheckMs: 60_000 })
  const batches = 6
  for (let i = 0; i < batches; i++) {
    const [posted, held] = await Promise.all([batcher.submit({ request: post(a, b) }), batcher.submit({ request: hold(a, b) })])
    assert.ok(posted.result?.ok && held.result?.ok, 'both applied')
  }
  assert.equal(batcher.stats.batches, batches, 'one batch per round')

  const plans = await keptPlans(one)
  assert.ok(plans.length >= 8, `the batch's statements are prepared (${plans.length})`)
  for (const p of plans) assert.equal(p.customPlans, 0, `never planned for its values: ${p.statement.slice(0, 80)}`)
  const of = (start: RegExp) => {
    const found = plans.filter((p) => start.test(p.statement.trim()))
    assert.equal(found.length, 1, `one prepared statement ${start}`)
    return found[0].genericPlans
  }
  // Once per batch, and once more: the first batch's renewal made each plan again ahead of the
  // second batch (keyed_plans_make), a use of it as the batch's would be.
  // The batch's writes are one statement (oneStatement): balances, records, entries and new holds.
  const writes = /^with w0 as \(\s*update ledger_accounts l set posted.*\), w1 as \(\s*insert into ledger_transfers.*\), w2 as \(\s*insert into ledger_entries.*\)\s*insert into ledger_holds/s
  assert.equal(of(writes), batches + 1, 'balances, records, entries and new holds')
  assert.equal(of(/^select ledger_expect_rows\(count\(u\.found\) \+ count\(s\.found\), \$\d+\)/), batches + 1, 'the accounts\' lock')

  // The first batch on the session renewed its plans; the ones after, within plansCheckMs, did not.
  const first = await renewedAt()
  assert.ok(first && Math.abs(Number(first) - Date.now()) < 60_000, `renewed at the first batch (${first})`)
  await batcher.submit({ request: post(a, b) })
  assert.equal(await renewedAt(), first, 'not renewed within plansCheckMs')
  const renewing = new LedgerBatcher(one, { nowOf: () => new Date(), plansKeptMaxMs: 0 })
  const uses = async () => new Map((await keptPlans(one)).map((p) => [p.statement, p.genericPlans]))
  const before = await uses()
  await renewing.submit({ request: post(a, b) })
  assert.ok(Number(await renewedAt()) > Number(first), 'renewed once due')
  // The writes of a batch that posts and holds, which the renewing batch (a posting alone) does not
  // run, were used twice since: keptPlans' own EXPLAIN EXECUTE above, and their plan made again
  // ahead of the next batch.
  const postAndHold = [...before.keys()].find((statement) => writes.test(statement.trim()))!
  assert.equal((await uses()).get(postAndHold), before.get(postAndHold)! + 2, 'made again ahead of the next batch')
})

it('looks at its tables after a batch and makes its plans again once one has doubled since they were made, not before', async () => {
  await new LedgerBatcher(one, { nowOf: () => new Date(), plansKeptMaxMs: 0 }).submit({ request: post(a, b) })
  const renewed = await renewedAt()
  const pages = await pagesRecorded()
  assert.ok((pages.ledger_accounts ?? 0) >= 1 && !('plans_probe' in pages), `sizes recorded at the renewal: ${JSON.stringify(pages)}`)

  const looking = new LedgerBatcher(one, { nowOf: () => new Date(), plansCheckMs: 0 })
  const checkedBefore = Number(await setting('keel.plans_checked_at'))
  await looking.submit({ request: post(a, b) })
  assert.ok(Number(await setting('keel.plans_checked_at')) >= checkedBefore, 'looked')
  assert.deepEqual([await renewedAt(), await pagesRecorded()], [renewed, pages], 'nothing doubled: the plans are kept')

  await h.sql`create table plans_probe (n int8, pad text)`
  try {
    await h.sql`insert into plans_probe select g, repeat('x', 200) from generate_series(1, 2000) as g`
    await looking.submit({ request: post(a, b) })
    const after = await pagesRecorded()
    assert.ok(after.plans_probe >= 8, `made again once a table outgrew them, its size recorded: ${after.plans_probe}`)
  } finally {
    await h.sql`drop table plans_probe`
  }
})

it('reads every table through its primary key (the due holds through their account\'s range) once the tables have grown', async () => {
  // Plans made on small tables whose statistics say so (every estimate one row), which read the
  // accounts' whole primary key index for each key: kept on as the tables grow, this test fails.
  await h.sql`analyze ledger_accounts, ledger_holds, ledger_transfers, ledger_entries`
  await new LedgerBatcher(one, { nowOf: () => new Date(), plansKeptMaxMs: 0 }).submit({ request: post(a, b) })
  const small = new LedgerBatcher(one, { nowOf: () => new Date(), plansCheckMs: 600_000 })
  await Promise.all([small.submit({ request: post(a, b) }), small.submit({ request: hold(a, b) })])
  // …then the tables grown as a busy workspace grows them, without an ANALYZE: thousands of
  // accounts, holds and records.
  await h.sql`
    insert into ledger_accounts (workspace_id, id, kind, account_number, currency, status, access_status, created_at)
    select ${h.workspaces.a}, gen_random_uuid(), 'ACCOUNT', '8' || lpad(g::text, 11, '0'), 'USD', 'ACTIVE_OR_DISBURSED', 'ACTIVE', now()
    from generate_series(1, 3000) as g`
  // The holds are spread over eight accounts, as a workspace's are: were they all one account's, an
  // account would pick out no fewer holds than the workspace, and the planner would be right to read
  // the workspace's due range instead (ledger_holds_workspace_expiry, a smaller index over the same
  // due holds). Which of the two it took would then hang on whether autovacuum had analyzed the
  // table since it grew.
  const holders = [a, ...await Promise.all(Array.from({ length: 7 }, () => ledgerAccount()))]
  // Looking after every batch: the plans are made again once the tables have doubled, as they do here.
  const batcher = new LedgerBatcher(one, { nowOf: () => new Date(), plansCheckMs: 0, batchSizeMax: 256 })
  for (let round = 0; round < 8; round++) {
    const outcomes = await Promise.all(Array.from({ length: 250 }, (_, i) => batcher.submit({ request: i % 2 ? post(a, b) : hold(holders[(i >> 1) % holders.length], b) })))
    assert.ok(outcomes.every((o) => o.result?.ok), 'applied')
  }
  // The batch after a renewal plans on the grown tables: one that captures, holds and posts, so
  // every statement a batch can send is among those read back.
  const pending = uuidv7()
  assert.ok((await batcher.submit({ request: hold(a, b, pending) })).result?.ok)
  const [captured, held, posted] = await Promise.all([batcher.submit({ request: capture(pending) }), batcher.submit({ request: hold(a, b) }), batcher.submit({ request: post(a, b) })])
  assert.ok(captured.result?.ok && held.result?.ok && posted.result?.ok, 'applied')

  const plans = await keptPlans(one)
  const ledgerTables = new Set(['ledger_accounts', 'ledger_holds', 'ledger_transfers', 'ledger_entries'])
  let checked = 0
  for (const p of plans) {
    for (const s of p.scans) {
      if (!ledgerTables.has(s.relation)) continue
      checked++
      const where = `${p.statement.trim().slice(0, 70)}…: ${s.node} on ${s.relation} via ${s.index ?? '-'} (${s.cond ?? ''})`
      if (s.index === 'ledger_holds_account_expiry') {
        // A range of one account's due holds, read in index order or through a bitmap of it: the
        // planner takes the bitmap once its statistics expect more than a few (autovacuum may
        // analyze the grown table while this test runs), and either reads that range alone.
        assert.match(s.node, /^(Index|Bitmap Heap) Scan$/, where)
        assert.match(s.cond ?? '', /workspace_id = .*account_id = .*expires_at <= /s, where)
      } else {
        assert.match(s.node, /^Index (Only )?Scan$/, where)
        assert.equal(s.index, `${s.relation}_pkey`, where)
        assert.match(s.cond ?? '', /workspace_id = .*\bid = /s, `the whole key: ${where}`)
      }
    }
  }
  assert.ok(checked >= 6, `the batch's reads of the ledger's tables were checked (${checked})`)
  // The writes read their rows from unnest in the select list, not from a function scan, which
  // would copy every array into a tuplestore first (src/platform/db.ts).
  const writes = plans.filter((p) => /^\s*(insert|with)\b/i.test(p.statement))
  assert.ok(writes.length >= 2, `the batch's writes were checked (${writes.length})`)
  for (const w of writes) assert.equal(w.functionScans, 0, `no function scan: ${w.statement.trim().slice(0, 70)}…`)
  assert.ok(plans.some((p) => p.scans.some((s) => s.index === 'ledger_holds_account_expiry')), 'the due holds are read')
  assert.ok(plans.some((p) => p.scans.some((s) => s.relation === 'ledger_holds' && s.index === 'ledger_holds_pkey')), 'the captured hold is read by its key')
})
