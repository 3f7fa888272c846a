// What the card messages' triggers keep, checked against the messages themselves: the part of
// `keel ledger check` that is card authorization's.

import type { Queryable } from '../../platform/db.js'

export interface CardSpendReport {
  /** What was checked: the approved original messages the kept sums are made from. */
  checked: { messages: number }
  discrepancies: string[]
}

/**
 * For one workspace, or all: each account's approved card spend by UTC day (card_spend_days,
 * migration 1510) and each card's approvals by minute (card_velocity_minutes, 1560) equal what its
 * messages add up to; the accounts kept by kind (card_spend_kinds_kept, 1710) are those that name a
 * rolling window listing MCCs or sub-types, and their spend by day, MCC and sub-type equals what
 * their messages add up to; no other account has any kept by kind. A day, minute or kind missing on
 * either side counts as zero.
 */
export async function auditCardSpend(db: Queryable, workspaceId?: string): Promise<CardSpendReport> {
  const ws = (alias: string) => (workspaceId ? db`and ${db(alias)}.workspace_id = ${workspaceId}` : db``)
  const counted = (alias: string) => db`${db(alias)}.original_id is null and ${db(alias)}.state <> 'DECLINED'`
  const [[counts], days, minutes, kept, kinds] = await Promise.all([
    db<{ messages: number }[]>`select count(*)::int as messages from card_authorizations m where ${counted('m')} ${ws('m')}`,
    db<{ account_id: string; day: string; kept: string; made: string }[]>`
      with made as (
        select m.workspace_id, m.account_id, (m.created_at at time zone 'UTC')::date as day,
          coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0) as debits, coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0) as credits
        from card_authorizations m where ${counted('m')} ${ws('m')} group by 1, 2, 3),
      kept as (select d.* from card_spend_days d where true ${ws('d')})
      select coalesce(m.account_id, k.account_id) as account_id, coalesce(m.day, k.day)::text as day,
        coalesce(k.debits, 0) || '/' || coalesce(k.credits, 0) as kept, coalesce(m.debits, 0) || '/' || coalesce(m.credits, 0) as made
      from made m full join kept k on k.workspace_id = m.workspace_id and k.account_id = m.account_id and k.day = m.day
      where coalesce(k.debits, 0) <> coalesce(m.debits, 0) or coalesce(k.credits, 0) <> coalesce(m.credits, 0)
      order by 1, 2`,
    db<{ card_id: string; minute: string; kept: number; made: number }[]>`
      with made as (
        select m.workspace_id, m.card_id, date_trunc('minute', m.created_at at time zone 'UTC') as minute, count(*)::int as approvals
        from card_authorizations m where ${counted('m')} ${ws('m')} group by 1, 2, 3),
      kept as (select v.* from card_velocity_minutes v where true ${ws('v')})
      select coalesce(m.card_id, k.card_id) as card_id, to_char(coalesce(m.minute, k.minute), 'YYYY-MM-DD"T"HH24:MI"Z"') as minute,
        coalesce(k.approvals, 0) as kept, coalesce(m.approvals, 0) as made
      from made m full join kept k on k.workspace_id = m.workspace_id and k.card_id = m.card_id and k.minute = m.minute
      where coalesce(k.approvals, 0) <> coalesce(m.approvals, 0)
      order by 1, 2`,
    db<{ account_id: string; kept: boolean }[]>`
      with named as (select a.workspace_id, array_agg(a.id) as accounts from accounts a where true ${ws('a')} group by 1),
      wanted as (select n.workspace_id, w.account_id from named n cross join lateral card_spend_kinds_wanted(n.workspace_id, n.accounts) as w),
      kept as (select k.* from card_spend_kinds_kept k where true ${ws('k')})
      select coalesce(w.account_id, k.account_id) as account_id, k.account_id is not null as kept
      from wanted w full join kept k on k.workspace_id = w.workspace_id and k.account_id = w.account_id
      where w.account_id is null or k.account_id is null
      order by 1`,
    db<{ account_id: string; day: string; mcc: string; sub_type: string; kept: string; made: string; of_kept: boolean }[]>`
      with made as (
        select m.workspace_id, m.account_id, (m.created_at at time zone 'UTC')::date as day, coalesce(m.mcc, '') as mcc, coalesce(m.sub_type, '') as sub_type,
          coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0) as debits, coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0) as credits
        from card_authorizations m join card_spend_kinds_kept k on k.workspace_id = m.workspace_id and k.account_id = m.account_id
        where ${counted('m')} ${ws('m')} group by 1, 2, 3, 4, 5),
      kept as (
        select d.*, exists (select 1 from card_spend_kinds_kept k where k.workspace_id = d.workspace_id and k.account_id = d.account_id) as of_kept
        from card_spend_kinds d where true ${ws('d')})
      select coalesce(m.account_id, k.account_id) as account_id, coalesce(m.day, k.day)::text as day, coalesce(m.mcc, k.mcc) as mcc, coalesce(m.sub_type, k.sub_type) as sub_type,
        coalesce(k.debits, 0) || '/' || coalesce(k.credits, 0) as kept, coalesce(m.debits, 0) || '/' || coalesce(m.credits, 0) as made, coalesce(k.of_kept, true) as of_kept
      from made m full join kept k on k.workspace_id = m.workspace_id and k.account_id = m.account_id and k.day = m.day and k.mcc = m.mcc and k.sub_type = m.sub_type
      where coalesce(k.debits, 0) <> coalesce(m.debits, 0) or coalesce(k.credits, 0) <> coalesce(m.credits, 0) or not k.of_kept
      order by 1, 2, 3, 4`,
  ])
  const kindName = (r: { mcc: string; sub_type: string }) => `MCC ${r.mcc || 'none'}, sub-type ${r.sub_type || 'none'}`
  const discrepancies = [
    ...days.map((r) => `account ${r.account_id}: card spend day ${r.day} kept ${r.kept} (debits/credits) but its card messages make ${r.made}`),
    ...minutes.map((r) => `card ${r.card_id}: minute ${r.minute} kept ${r.kept} approvals but its card messages make ${r.made}`),
    ...kept.map((r) => r.kept
      ? `account ${r.account_id}: card spend kept by kind, but it names no rolling window that lists MCCs or sub-types`
      : `account ${r.account_id}: names a rolling window that lists MCCs or sub-types, but its card spend is not kept by kind`),
    ...kinds.map((r) => r.of_kept
      ? `account ${r.account_id}: card spend day ${r.day} ${kindName(r)} kept ${r.kept} (debits/credits) but its card messages make ${r.made}`
      : `account ${r.account_id}: card spend day ${r.day} ${kindName(r)} kept ${r.kept} (debits/credits), but the account is not kept by kind`),
  ]
  return { checked: counts, discrepancies }
}
