// The ledger's invariants, checked from the stored rows alone: what `keel ledger check` runs.

import type { Queryable } from '../../platform/db.js'

export interface AuditReport {
  /** What was checked, with how many rows each check covered. */
  checked: { accounts: number; transfers: number; entries: number; holds: number }
  discrepancies: string[]
}

/**
 * For one workspace, or all: every transfer's entries sum to zero per currency; a POSTED record
 * has two or more entries and no other record has any; each account's posted balance equals the
 * sum of its entries and its held balance what its PENDING holds still reserve; a hold's captured
 * total equals its captures' and its status agrees with the records that settled it; entries are in
 * their account's currency; no account breaches its floor or ceiling; no entry, transfer or hold
 * names a missing row; an account with spend controls has the spend days its records make.
 */
export async function auditLedger(db: Queryable, workspaceId?: string): Promise<AuditReport> {
  const ws = (alias: string) => (workspaceId ? db`and ${db(alias)}.workspace_id = ${workspaceId}` : db``)
  const [[counts], unbalanced, entryStatus, postedMismatch, heldMismatch, captured, holdStatus, currency, limits, orphans, spendDays] = await Promise.all([
    db<{ accounts: number; transfers: number; entries: number; holds: number }[]>`
      select (select count(*) from ledger_accounts a where true ${ws('a')})::int as accounts,
             (select count(*) from ledger_transfers t where true ${ws('t')})::int as transfers,
             (select count(*) from ledger_entries e where true ${ws('e')})::int as entries,
             (select count(*) from ledger_holds h where true ${ws('h')})::int as holds`,
    db<{ transfer_id: string; currency: string; total: bigint }[]>`
      select e.transfer_id, e.currency, sum(e.amount)::int8 as total from ledger_entries e where true ${ws('e')}
      group by e.workspace_id, e.transfer_id, e.currency having sum(e.amount) <> 0`,
    db<{ id: string; status: string; n: number }[]>`
      select t.id, t.status, count(e.line)::int as n from ledger_transfers t
      left join ledger_entries e on e.workspace_id = t.workspace_id and e.transfer_id = t.id
      where true ${ws('t')} group by t.workspace_id, t.id, t.status
      having (t.status = 'POSTED' and count(e.line) < 2) or (t.status <> 'POSTED' and count(e.line) > 0)`,
    db<{ id: string; posted: bigint; total: bigint }[]>`
      select a.id, a.posted, coalesce(sum(e.amount), 0)::int8 as total from ledger_accounts a
      left join ledger_entries e on e.workspace_id = a.workspace_id and e.account_id = a.id
      where true ${ws('a')} group by a.workspace_id, a.id, a.posted having a.posted <> coalesce(sum(e.amount), 0)`,
    db<{ id: string; held: bigint; total: bigint }[]>`
      select a.id, a.held, coalesce(sum(h.amount - h.captured) filter (where h.status = 'PENDING'), 0)::int8 as total from ledger_accounts a
      left join ledger_holds h on h.workspace_id = a.workspace_id and h.account_id = a.id
      where true ${ws('a')} group by a.workspace_id, a.id, a.held having a.held <> coalesce(sum(h.amount - h.captured) filter (where h.status = 'PENDING'), 0)`,
    db<{ id: string; captured: bigint; total: bigint }[]>`
      select h.id, h.captured, coalesce(sum(t.amount), 0)::int8 as total from ledger_holds h
      left join ledger_transfers t on t.workspace_id = h.workspace_id and t.pending_id = h.id and t.action = 'post_pending'
      where true ${ws('h')} group by h.workspace_id, h.id, h.captured having h.captured <> coalesce(sum(t.amount), 0)`,
    db<{ id: string; status: string; settled_by: string | null }[]>`
      select h.id, h.status, string_agg(t.action, ',') as settled_by from ledger_holds h
      left join ledger_transfers t on t.workspace_id = h.workspace_id and t.pending_id = h.id and t.action in ('void_pending', 'expire_pending')
      where true ${ws('h')} group by h.workspace_id, h.id, h.status
      having not ((h.status in ('PENDING', 'CLEARED', 'DECLINED') and count(t.id) = 0)
        or (h.status = 'RELEASED' and string_agg(t.action, ',') = 'void_pending')
        or (h.status = 'EXPIRED' and string_agg(t.action, ',') = 'expire_pending'))`,
    db<{ transfer_id: string; line: number }[]>`
      select e.transfer_id, e.line from ledger_entries e join ledger_accounts a on a.workspace_id = e.workspace_id and a.id = e.account_id
      where true ${ws('e')} and e.currency <> a.currency`,
    db<{ id: string; posted: bigint; held: bigint; floor: bigint | null; ceiling: bigint | null }[]>`
      select a.id, a.posted, a.held, a.floor, a.ceiling from ledger_accounts a
      where true ${ws('a')} and (a.held < 0 or (a.floor is not null and a.posted - a.held < a.floor) or (a.ceiling is not null and a.posted > a.ceiling))`,
    // The posting path's tables carry no foreign keys (migration 0201): check what they would.
    db<{ what: string; id: string }[]>`
      select 'entry of transfer' as what, e.transfer_id as id from ledger_entries e
        where true ${ws('e')} and not exists (select 1 from ledger_transfers t where t.workspace_id = e.workspace_id and t.id = e.transfer_id)
      union all
      select 'entry on account', e.account_id from ledger_entries e
        where true ${ws('e')} and not exists (select 1 from ledger_accounts a where a.workspace_id = e.workspace_id and a.id = e.account_id)
      union all
      select 'transfer debit account', t.id from ledger_transfers t
        where true ${ws('t')} and not exists (select 1 from ledger_accounts a where a.workspace_id = t.workspace_id and a.id = t.debit_account_id)
      union all
      select 'transfer credit account', t.id from ledger_transfers t
        where true ${ws('t')} and not exists (select 1 from ledger_accounts a where a.workspace_id = t.workspace_id and a.id = t.credit_account_id)
      union all
      select 'record of pending transfer', t.id from ledger_transfers t
        where true ${ws('t')} and t.pending_id is not null and not exists (select 1 from ledger_holds h where h.workspace_id = t.workspace_id and h.id = t.pending_id)
      union all
      select 'hold without its record', h.id from ledger_holds h
        where true ${ws('h')} and not exists (select 1 from ledger_transfers t where t.workspace_id = h.workspace_id and t.id = h.id)
      union all
      select 'hold on account', h.id from ledger_holds h
        where true ${ws('h')} and not exists (select 1 from ledger_accounts a where a.workspace_id = h.workspace_id and a.id = h.account_id)
      union all
      select 'hold credit account', h.id from ledger_holds h
        where true ${ws('h')} and not exists (select 1 from ledger_accounts a where a.workspace_id = h.workspace_id and a.id = h.credit_account_id)`,
    // A controlled account's spend days as the triggers kept them, against what its records make (a
    // day missing on either side is zero).
    db<{ account_id: string; day: string; kind: string; type: string; kept: string; made: string }[]>`
      with controlled as (
        select h.workspace_id, array_agg(h.account_id) as accounts from ledger_account_holders h
        where h.spend_controls is not null ${ws('h')} group by h.workspace_id),
      made as (select c.workspace_id, s.* from controlled c cross join lateral ledger_spend_days_of(c.workspace_id, c.accounts) as s),
      kept as (
        select d.* from ledger_spend_days d
        join ledger_account_holders h on h.workspace_id = d.workspace_id and h.account_id = d.account_id and h.spend_controls is not null
        where true ${ws('d')})
      select coalesce(m.account_id, k.account_id) as account_id, coalesce(m.day, k.day)::text as day, coalesce(m.kind, k.kind) as kind, coalesce(m.type, k.type) as type,
        coalesce(k.debits, 0) || '/' || coalesce(k.credits, 0) as kept, coalesce(m.debits, 0) || '/' || coalesce(m.credits, 0) as made
      from made m full join kept k on k.workspace_id = m.workspace_id and k.account_id = m.account_id and k.day = m.day and k.kind = m.kind and k.type = m.type
      where coalesce(k.debits, 0) <> coalesce(m.debits, 0) or coalesce(k.credits, 0) <> coalesce(m.credits, 0)`,
  ])
  const discrepancies = [
    ...unbalanced.map((r) => `transfer ${r.transfer_id}: entries in ${r.currency} sum to ${r.total}, not 0`),
    ...entryStatus.map((r) => `transfer ${r.id}: status ${r.status} with ${r.n} entries`),
    ...postedMismatch.map((r) => `account ${r.id}: posted balance ${r.posted} but its entries sum to ${r.total}`),
    ...heldMismatch.map((r) => `account ${r.id}: held ${r.held} but its pending holds reserve ${r.total}`),
    ...captured.map((r) => `hold ${r.id}: captured ${r.captured} but its captures sum to ${r.total}`),
    ...holdStatus.map((r) => `hold ${r.id}: ${r.status} but settled by ${r.settled_by ?? 'nothing'}`),
    ...currency.map((r) => `transfer ${r.transfer_id} line ${r.line}: currency differs from its account's`),
    ...orphans.map((r) => `${r.what} ${r.id} names a missing row`),
    ...limits.map((r) => `account ${r.id}: posted ${r.posted}, held ${r.held} breach floor ${r.floor ?? 'none'} / ceiling ${r.ceiling ?? 'none'}`),
    ...spendDays.map((r) => `account ${r.account_id}: spend day ${r.day} ${r.kind} ${r.type} kept ${r.kept} (debits/credits) but its records make ${r.made}`),
  ]
  return { checked: counts, discrepancies }
}
