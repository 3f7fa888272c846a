// An incoming IAT entry's addenda 10-16, as the spec's `iat_data` shows them on the incoming ACH
// transaction (`iat_info`). NACHA ends the address fields with a backslash; the API shows them
// without it, as the spec's examples do ("San Francisco*CA", "US*10036").

import type { Addenda10, Addenda11, Addenda12, Addenda13, Addenda14, Addenda15, Addenda16, Batch, Entry, IatAddenda, IatBatchHeader } from '../nacha/index.js'

export interface IatAddress { street: string; city_state_province: string; country_postal_code: string }

export interface IatInfo {
  foreign_payment_amount: number
  foreign_trace_number: string
  name: string
  transaction_type_code: string
  originator_name: string
  originator_address: IatAddress
  odfi_name: string
  odfi_id_number_qualifier: string
  odfi_identification: string
  odfi_branch_country_code: string
  rdfi_name: string
  rdfi_id_number_qualifier: string
  rdfi_identification: string
  rdfi_branch_country_code: string
  receiver_id_number: string
  receiver_address: IatAddress
}

const field = (s: string | undefined): string => (s ?? '').trim().replace(/\\$/, '').trim()

/** The iat_info of an IAT entry (its seven mandatory addenda), or undefined when the entry is not one. */
export function iatInfoOf(entry: Entry): IatInfo | undefined {
  if (entry.detail.layout !== 'iat') return undefined
  const find = <T extends { typeCode: string }>(code: string) => entry.addenda.find((a) => a.typeCode === code) as T | undefined
  const a10 = find<Addenda10>('10'), a11 = find<Addenda11>('11'), a12 = find<Addenda12>('12'), a13 = find<Addenda13>('13')
  const a14 = find<Addenda14>('14'), a15 = find<Addenda15>('15'), a16 = find<Addenda16>('16')
  return {
    foreign_payment_amount: a10?.foreignPaymentAmount ?? 0,
    foreign_trace_number: field(a10?.foreignTraceNumber),
    name: field(a10?.receiverName),
    transaction_type_code: field(a10?.transactionTypeCode),
    originator_name: field(a11?.originatorName),
    originator_address: { street: field(a11?.originatorStreetAddress), city_state_province: field(a12?.originatorCityState), country_postal_code: field(a12?.originatorCountryPostalCode) },
    odfi_name: field(a13?.originatingDfiName),
    odfi_id_number_qualifier: field(a13?.originatingDfiIdQualifier),
    odfi_identification: field(a13?.originatingDfiId),
    odfi_branch_country_code: field(a13?.originatingDfiBranchCountryCode),
    rdfi_name: field(a14?.receivingDfiName),
    rdfi_id_number_qualifier: field(a14?.receivingDfiIdQualifier),
    rdfi_identification: field(a14?.receivingDfiId),
    rdfi_branch_country_code: field(a14?.receivingDfiBranchCountryCode),
    receiver_id_number: field(a15?.receiverIdentificationNumber),
    receiver_address: { street: field(a15?.receiverStreetAddress), city_state_province: field(a16?.receiverCityState), country_postal_code: field(a16?.receiverCountryPostalCode) },
  }
}

/** What the return of an IAT entry carries back: the entry's batch header and its addenda 10-16, as read. */
export interface IatRecord { header: IatBatchHeader; addenda: IatAddenda[] }

const mandatoryIatAddenda = new Set(['10', '11', '12', '13', '14', '15', '16'])

/** The IAT record of an entry of an IAT batch, or undefined for any other. */
export function iatRecordOf(header: Batch['header'], entry: Entry): IatRecord | undefined {
  if (!('layout' in header) || header.layout !== 'iat' || entry.detail.layout !== 'iat') return undefined
  const { line: _line, ...h } = header
  const addenda = entry.addenda.filter((a): a is IatAddenda => mandatoryIatAddenda.has(a.typeCode)).map((a) => {
    const { line: _l, ...rest } = a as IatAddenda & { line?: number }
    return rest as IatAddenda
  })
  return { header: h, addenda }
}
