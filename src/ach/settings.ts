// The workspace's ODFI settings: what the file and batch headers Keel cuts say about the sender.
// The ODFI's routing number is the one accounts show as bank_routing; the immediate destination is
// the ACH operator (the Federal Reserve) unless the workspace's settings name another.

import { bankRouting } from '../accounts/index.js'
import type { Queryable } from '../platform/db.js'
import { getSettings } from './store.js'

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

/** The Federal Reserve Bank's routing number files go to by default (FedACH). */
export const fedAchDestination = '011000015'
export const fedAchDestinationName = 'FEDERAL RESERVE BANK'
export const odfiNameDefault = 'KEEL BANK'
/** NACHA company identification: 10 characters, here '1' and the ODFI's routing number. */
export const companyIdDefault = `1${bankRouting}`

export async function odfiSettings(db: Queryable, workspaceId: string, workspaceName: string = odfiNameDefault): Promise<OdfiSettings> {
  const row = await getSettings(db, workspaceId)
  return {
    odfiRouting: bankRouting,
    immediateOrigin: row?.immediate_origin ?? bankRouting,
    immediateOriginName: row?.immediate_origin_name ?? odfiNameDefault,
    immediateDestination: row?.immediate_destination ?? fedAchDestination,
    immediateDestinationName: row?.immediate_destination_name ?? fedAchDestinationName,
    companyId: row?.company_id ?? companyIdDefault,
    companyName: (row?.company_name ?? workspaceName).toUpperCase().slice(0, 16),
  }
}
