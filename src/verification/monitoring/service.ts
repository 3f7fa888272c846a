// Watchlist monitoring: a subscribed party is screened when it subscribes and again after every
// list import; each listed entry it matches raises one alert (never twice for the same entry, so a
// SUPPRESSED false positive stays suppressed across imports).
import type { Static } from 'typebox'
import type { Clock } from '../../platform/clock.js'
import type { Queryable, Sql } from '../../platform/db.js'
import { recordEvent, recordEvents } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import type { monitoring_alert, monitoring_subscription } from '../../spec/schemas.js'
import type { LoadedList } from '../watchlist/current.js'
import { matchDescription, roundScore, screenParty, type ScreenedParty } from '../watchlist/screening.js'
import { markRescreened } from '../watchlist/store.js'
import type { ScreeningMatch } from '../watchlist/watchlist-index.js'
import { findSubscriptionFor, insertAlerts, insertSubscription, subscribedPartiesAfter, type AlertRow, type SubscribedParty, type SubscriptionRow } from './store.js'

export type Alert = Static<typeof monitoring_alert>
export type Subscription = Static<typeof monitoring_subscription>

/** Subscriptions re-screened per transaction after an import. */
export const rescreenBatchSize = 2000

/** OFAC's public page for an SDN entry, given as the alert's url. */
export const ofacEntryUrl = (entryId: number) => `https://sanctionssearch.ofac.treas.gov/Details.aspx?id=${entryId}`

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    ...(row.person_id ? { person_id: row.person_id } : {}),
    ...(row.business_id ? { business_id: row.business_id } : {}),
    ...(row.metadata ? { metadata: row.metadata } : {}),
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
}

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    ...(row.person_id ? { person_id: row.person_id } : {}),
    ...(row.business_id ? { business_id: row.business_id } : {}),
    status: row.status,
    type: row.alert_type as Alert['type'],
    title: row.title,
    urls: [ofacEntryUrl(row.watchlist_entry_id)],
    vendor_info: row.vendor_info as Alert['vendor_info'],
    ...(row.metadata ? { metadata: row.metadata } : {}),
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
}

export function screenedPartyOf(p: SubscribedParty): ScreenedParty | undefined {
  const country = p.country_code ?? undefined
  if (p.person_id) {
    const name = [p.first_name, p.middle_name, p.last_name].filter(Boolean).join(' ')
    return name ? { kind: 'person', names: [name], ...(p.dob ? { dob: p.dob } : {}), ...(country ? { countryCode: country } : {}) } : undefined
  }
  const names = [p.entity_name ?? '', ...(Array.isArray(p.trade_names) ? p.trade_names : [])].filter((n) => n.trim() !== '')
  return names.length ? { kind: 'business', names, ...(country ? { countryCode: country } : {}) } : undefined
}

export function alertRowsFor(workspaceId: string, party: { person_id: string | null; business_id: string | null }, list: LoadedList, matches: readonly ScreeningMatch[], now: Date): AlertRow[] {
  return matches.map((m) => ({
    workspace_id: workspaceId, id: uuidv7(), person_id: party.person_id, business_id: party.business_id,
    status: 'ACTIVE', alert_type: 'WATCHLIST',
    title: `Possible OFAC SDN match (score ${roundScore(m.score)}): ${matchDescription(m)}`,
    watchlist_source: list.source, watchlist_entry_id: m.entry.id, score: roundScore(m.score).toFixed(4), list_version: list.version,
    vendor_info: { vendor: 'KEEL_WATCHLIST', content_type: 'application/json', json: {
      list: { source: list.source, version: list.version, date: list.date },
      entry: { id: m.entry.id, name: m.entry.name, type: m.entry.type, programs: m.entry.programs, aliases: m.entry.aliases, addresses: m.entry.addresses, remarks: m.entry.remarks ?? null },
      matched_name: m.matchedName, score: roundScore(m.score), name_score: roundScore(m.nameScore),
    } },
    metadata: null, created_at: now, updated_at: now,
  }))
}

/** Stores the alerts a screening raised (skipping entries already alerted) and their events. */
export async function raiseAlerts(tx: Queryable, rows: AlertRow[]): Promise<number> {
  const inserted = await insertAlerts(tx, rows)
  if (inserted.length) {
    await Promise.all(recordEvents(tx, inserted.map((r) => ({ at: r.created_at, workspaceId: r.workspace_id, type: 'MONITORING_ALERT.CREATED', resourceId: r.id, resource: toAlert(r) }))))
  }
  return inserted.length
}

/**
 * Subscribes a party to monitoring and screens it at once, raising alerts for what it matches now
 * (so a later import alerts only on new entries). Idempotent per party: a party already subscribed
 * keeps its subscription, which is returned.
 */
export async function subscribe(tx: Queryable, workspaceId: string, party: { personId?: string; businessId?: string }, screening: ScreenedParty, list: LoadedList, now: Date, metadata: Record<string, unknown> | null = null): Promise<SubscriptionRow> {
  const existing = await findSubscriptionFor(tx, workspaceId, party)
  if (existing) return existing
  const row: SubscriptionRow = {
    workspace_id: workspaceId, id: uuidv7(), person_id: party.personId ?? null, business_id: party.businessId ?? null,
    metadata, created_at: now, updated_at: now,
  }
  await insertSubscription(tx, row)
  await recordEvent(tx, { at: now, workspaceId, type: 'MONITORING_SUBSCRIPTION.CREATED', resourceId: row.id, resource: toSubscription(row) })
  await raiseAlerts(tx, alertRowsFor(workspaceId, row, list, screenParty(list, screening), now))
  return row
}

export interface RescreenSummary { screened: number; alerts: number; ms: number }

/**
 * Screens every subscription in every workspace against `list`, in batches of rescreenBatchSize,
 * each batch's alerts in one transaction. Safe to run again (alerts are unique per party and
 * entry), so an interrupted re-screen is finished by running it again; the list is marked
 * re-screened at the end.
 */
export async function rescreenSubscriptions(sql: Sql, list: LoadedList, clock: Clock): Promise<RescreenSummary> {
  const started = performance.now()
  let after: { workspace_id: string; id: string } | undefined
  let screened = 0
  let alerts = 0
  for (;;) {
    const batch = await subscribedPartiesAfter(sql, after, rescreenBatchSize)
    if (batch.length === 0) break
    const now = clock.now()
    const rows: AlertRow[] = []
    for (const party of batch) {
      const target = screenedPartyOf(party)
      if (!target) continue
      const matches = screenParty(list, target)
      if (matches.length) rows.push(...alertRowsFor(party.workspace_id, party, list, matches, now))
    }
    screened += batch.length
    if (rows.length) alerts += (await sql.begin((tx) => raiseAlerts(tx, rows))) as number
    after = batch[batch.length - 1]
  }
  if (list.id !== 'bundled') await markRescreened(sql, list.id, clock.now())
  return { screened, alerts, ms: performance.now() - started }
}
