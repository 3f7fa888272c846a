// `keel ledger check` finds what it exists to find: faults planted in the stored rows (an
// unbalanced transfer, a balance that disagrees with its entries, a breached floor, a hold that
// disagrees with its captures) make it exit non-zero and name each one.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, openAccount, transfer } from '../support/accounts.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const check = (workspaceId: string) => spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.mjs'), 'ledger', 'check', '--workspace', workspaceId, '--json'], {
  env: { ...process.env, DATABASE_URL: h.databaseUrl }, encoding: 'utf8',
})

describe('keel ledger check', () => {
  it('is clean on a ledger the API wrote, and names every planted fault', async () => {
    const funding = await fundingAccount(h)
    const [a, b, c] = [await openAccount(h), await openAccount(h), await openAccount(h)]
    const pay = async (to: string, amount: number, extra: Record<string, unknown> = {}) => {
      const res = await transfer(h, { amount, originating_account_id: funding.id, receiving_account_id: to, ...extra })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return res.body
    }
    const toA = await pay(a.id, 100)
    await pay(b.id, 200)
    await pay(c.id, 300)
    const held = await pay(c.id, 50, { capture_mode: 'MANUAL' })
    const clean = check(h.workspaces.a)
    assert.equal(clean.status, 0, clean.stdout + clean.stderr)
    assert.deepEqual(JSON.parse(clean.stdout).discrepancies, [])

    // The database refuses a breached floor by itself; drop that guard in this file's own database
    // to show the check finds one too.
    await h.sql`alter table ledger_accounts drop constraint if exists ledger_accounts_check`
    await h.sql`alter table ledger_accounts drop constraint if exists ledger_accounts_check1`
    await h.sql.begin(async (tx) => {
      // 1. An unbalanced transfer: one entry of the payment to a grows by 1, and a's balance with it.
      await tx`update ledger_entries set amount = amount + 1 where transfer_id = ${toA.id} and amount > 0`
      await tx`update ledger_accounts set posted = posted + 1 where id = ${a.id}`
      // 2. A balance that disagrees with its entries.
      await tx`update ledger_accounts set posted = posted + 5 where id = ${b.id}`
      // 3. A breached floor, with entries to match so that only the floor speaks.
      await tx`update ledger_accounts set floor = 1000 where id = ${c.id}`
      // 4. A hold whose captured total no capture accounts for.
      await tx`update ledger_holds set captured = 10 where id = ${held.id}`
    })
    const faulty = check(h.workspaces.a)
    assert.equal(faulty.status, 1, faulty.stdout + faulty.stderr)
    const found: string[] = JSON.parse(faulty.stdout).discrepancies
    const expected = [
      `transfer ${toA.id}: entries in USD sum to 1, not 0`,
      `account ${b.id}: posted balance 205 but its entries sum to 200`,
      `account ${c.id}: posted 300, held 0 breach floor 1000 / ceiling none`,
      `hold ${held.id}: captured 10 but its captures sum to 0`,
      // The hold reserves on the funding account, which it debits.
      `account ${funding.id}: held 50 but its pending holds reserve 40`,
    ]
    assert.deepEqual([...found].sort(), [...expected].sort())
    // The same from the library, and nothing of another workspace.
    assert.deepEqual((await auditLedger(h.sql, h.workspaces.b)).discrepancies, [])
  })

  it('names a hold whose record or accounts are missing (holds carry no foreign keys, migration 1490)', async () => {
    const workspaceId = h.workspaces.b
    const funding = await fundingAccount(h, h.keys.b)
    const [missingRecord, missingAccount] = [randomUUID(), randomUUID()]
    // A hold on a real account with no record, and one with a record that names an account that does not exist.
    await h.sql`
      insert into ledger_holds (workspace_id, id, account_id, credit_account_id, amount, captured, currency, status, expires_at, posted_after, available_after, created_at, updated_at)
      values (${workspaceId}, ${missingRecord}, ${funding.id}, ${funding.id}, 1, 0, 'USD', 'PENDING', null, 0, 0, now(), now())`
    const orphan = randomUUID()
    await h.sql`
      insert into ledger_holds (workspace_id, id, account_id, credit_account_id, amount, captured, currency, status, expires_at, posted_after, available_after, created_at, updated_at)
      values (${workspaceId}, ${orphan}, ${missingAccount}, ${funding.id}, 1, 0, 'USD', 'PENDING', null, 0, 0, now(), now())`
    const found = (await auditLedger(h.sql, workspaceId)).discrepancies
    assert.ok(found.includes(`hold without its record ${missingRecord} names a missing row`), found.join('\n'))
    assert.ok(found.includes(`hold without its record ${orphan} names a missing row`), found.join('\n'))
    assert.ok(found.includes(`hold on account ${orphan} names a missing row`), found.join('\n'))
    assert.ok(!found.some((d) => d.startsWith('hold on account') && d.includes(missingRecord)), found.join('\n'))
  })
  it('takes a workspace by name as well as by id, and says when there is none (exit 2, not 1)', () => {
    const byName = check('live')
    assert.equal(byName.status, 0, byName.stdout + byName.stderr)
    assert.deepEqual(JSON.parse(byName.stdout).discrepancies, [])
    const none = check('no-such-workspace')
    assert.equal(none.status, 2, none.stdout + none.stderr)
    assert.equal(none.stderr, 'no workspace no-such-workspace\n')
    assert.equal(none.stdout, '')
  })
})
