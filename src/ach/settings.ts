// The workspace's ACH settings: what the file and batch headers Keel cuts say about the sender (the
// ODFI settings), and the decision a gateway that does not answer in time stands for. The ODFI's
// routing number is the one accounts show as bank_routing and is not a setting; the immediate
// destination is the ACH operator (the Federal Reserve) unless the workspace names another.
// A fintech reads and sets them with GET/PUT /v0/ach/settings or `keel ach settings show|set`.

import { bankRouting } from '../accounts/index.js'
import type { Queryable } from '../platform/db.js'
import { badBody } from '../platform/errors.js'
import { isValidRouting } from './nacha/index.js'
import { getSettings, saveSettings, type SettingsRow } from './store.js'

/** What a gateway that does not answer 200 or 402 within its max_wait_ms stands for. */
export type GatewayTimeoutDecision = 'APPROVE' | 'DECLINE'

export interface OdfiSettings {
  /** The ODFI's 9-digit routing number; its first 8 digits start every trace number Keel gives. */
  odfiRouting: string
  immediateOrigin: string
  immediateOriginName: string
  immediateDestination: string
  immediateDestinationName: string
  companyId: string
  companyName: string
}

export interface AchSettings extends OdfiSettings { gatewayTimeoutDecision: GatewayTimeoutDecision; updatedAt: Date | null }

/** The Federal Reserve Bank's routing number files go to by default (FedACH). */
export const fedAchDestination = '011000015'
export const fedAchDestinationName = 'FEDERAL RESERVE BANK'
export const odfiNameDefault = 'KEEL BANK'
/** NACHA company identification: 10 characters, here '1' and the ODFI's routing number. */
export const companyIdDefault = `1${bankRouting}`
/**
 * A gateway that does not answer in time approves by default: the entry is processed as if no
 * gateway were configured, as a receiving bank does when its customer's system is down. The spec's
 * gateway schema declares no field for it, so it is a workspace setting.
 */
export const gatewayTimeoutDecisionDefault: GatewayTimeoutDecision = 'APPROVE'

/** NACHA's field lengths for the settings. */
const immediateNameLengthMax = 23
const companyNameLengthMax = 16
const companyIdLength = 10

export async function achSettings(db: Queryable, workspaceId: string, workspaceName: string = odfiNameDefault): Promise<AchSettings> {
  const row = await getSettings(db, workspaceId)
  return {
    odfiRouting: bankRouting,
    immediateOrigin: row?.immediate_origin ?? bankRouting,
    immediateOriginName: row?.immediate_origin_name ?? odfiNameDefault,
    immediateDestination: row?.immediate_destination ?? fedAchDestination,
    immediateDestinationName: row?.immediate_destination_name ?? fedAchDestinationName,
    companyId: row?.company_id ?? companyIdDefault,
    companyName: (row?.company_name ?? workspaceName).toUpperCase().slice(0, companyNameLengthMax),
    gatewayTimeoutDecision: (row?.gateway_timeout_decision as GatewayTimeoutDecision | undefined) ?? gatewayTimeoutDecisionDefault,
    updatedAt: row?.updated_at ?? null,
  }
}

export const odfiSettings = (db: Queryable, workspaceId: string, workspaceName?: string): Promise<OdfiSettings> => achSettings(db, workspaceId, workspaceName)

/** The settings as the API and the command show them. */
export function toAchSettingsView(s: AchSettings): Record<string, unknown> {
  return {
    odfi_routing_number: s.odfiRouting,
    immediate_origin: s.immediateOrigin,
    immediate_origin_name: s.immediateOriginName,
    immediate_destination: s.immediateDestination,
    immediate_destination_name: s.immediateDestinationName,
    company_id: s.companyId,
    company_name: s.companyName,
    gateway_timeout_decision: s.gatewayTimeoutDecision,
    ...(s.updatedAt ? { last_updated_time: s.updatedAt.toISOString() } : {}),
  }
}

/** The fields PUT /v0/ach/settings and `keel ach settings set` take; each optional, the others keep their value. */
export const settingsFields = ['immediate_origin', 'immediate_origin_name', 'immediate_destination', 'immediate_destination_name', 'company_id', 'company_name', 'gateway_timeout_decision'] as const
export type SettingsChange = Partial<Record<(typeof settingsFields)[number], string>>

const printable = (s: string, max: number) => s.length >= 1 && s.length <= max && /^[\x20-\x7e]+$/.test(s) && s.trim() === s

/** Why each field of a change is wrong (empty when all are right). Pure. */
export function settingsErrors(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { body: 'a JSON object' }
  const invalid: Record<string, string> = {}
  for (const [k, v] of Object.entries(body)) {
    if (k === 'odfi_routing_number') { invalid[k] = 'read-only: the ODFI routing number is the accounts\' bank_routing'; continue }
    if (!(settingsFields as readonly string[]).includes(k)) { invalid[k] = 'not an ACH setting'; continue }
    if (typeof v !== 'string') { invalid[k] = 'a string'; continue }
    switch (k) {
      case 'immediate_origin': if (!/^\d{9,10}$/.test(v)) invalid[k] = 'a 9-digit routing number or a 10-digit identifier (e.g. 1 and a tax id)'; break
      case 'immediate_destination': if (!isValidRouting(v)) invalid[k] = 'a 9-digit routing number with a valid check digit'; break
      case 'immediate_origin_name': case 'immediate_destination_name': if (!printable(v, immediateNameLengthMax)) invalid[k] = `1 to ${immediateNameLengthMax} printable ASCII characters`; break
      case 'company_name': if (!printable(v, companyNameLengthMax)) invalid[k] = `1 to ${companyNameLengthMax} printable ASCII characters`; break
      case 'company_id': if (!new RegExp(`^[0-9A-Z]{${companyIdLength}}$`).test(v)) invalid[k] = `${companyIdLength} digits or capital letters (e.g. 1 and a tax id)`; break
      case 'gateway_timeout_decision': if (v !== 'APPROVE' && v !== 'DECLINE') invalid[k] = 'APPROVE or DECLINE'; break
    }
  }
  return invalid
}

/** Applies a change (400 naming every wrong field, nothing saved); answers the settings after. */
export async function changeAchSettings(db: Queryable, workspaceId: string, workspaceName: string, body: unknown, now: Date): Promise<AchSettings> {
  const invalid = settingsErrors(body)
  if (Object.keys(invalid).length) throw badBody(`invalid ACH settings: ${Object.entries(invalid).map(([k, v]) => `${k} must be ${v}`).join('; ')}`, { invalid })
  const change = body as SettingsChange
  const current = await achSettings(db, workspaceId, workspaceName)
  const row: SettingsRow = {
    workspace_id: workspaceId,
    immediate_origin: change.immediate_origin ?? current.immediateOrigin,
    immediate_origin_name: (change.immediate_origin_name ?? current.immediateOriginName).toUpperCase(),
    immediate_destination: change.immediate_destination ?? current.immediateDestination,
    immediate_destination_name: (change.immediate_destination_name ?? current.immediateDestinationName).toUpperCase(),
    company_id: change.company_id ?? current.companyId,
    company_name: (change.company_name ?? current.companyName).toUpperCase(),
    gateway_timeout_decision: change.gateway_timeout_decision ?? current.gatewayTimeoutDecision,
    updated_at: now,
  }
  await saveSettings(db, row)
  return achSettings(db, workspaceId, workspaceName)
}
