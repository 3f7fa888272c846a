// ABA routing numbers: the checksum every routing number carries, and the FedACH participant
// directory (data/fed/FedACHdir.txt, shipped with Keel) that says which banks receive ACH entries.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { assert } from '../platform/assert.js'

/** Where the bundled directory lives: data/fed/ at the repository root (no dependency on ../shared). */
export const bundledFedAchDirectory = join(import.meta.dirname, '..', '..', 'data', 'fed', 'FedACHdir.txt')

/** Fixed-width FedACH record: 155 characters (the Fed's published layout). */
export const fedAchRecordLength = 155

export interface FedAchParticipant {
  routingNumber: string
  /** 0: a Federal Reserve Bank; 1: send items to this routing number; 2: send them to newRoutingNumber. */
  recordType: '0' | '1' | '2'
  newRoutingNumber: string | undefined
  name: string
  city: string
  state: string
  postalCode: string
}

/** ABA checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10. */
export function abaChecksumValid(routingNumber: string): boolean {
  if (!/^[0-9]{9}$/.test(routingNumber)) return false
  const d = [...routingNumber].map(Number)
  const sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
  return sum % 10 === 0
}

/** Parses the directory's text: one participant per 155-character line (trailing blanks may be trimmed). */
export function parseFedAchDirectory(text: string): Map<string, FedAchParticipant> {
  const byRouting = new Map<string, FedAchParticipant>()
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue
    const line = raw.padEnd(fedAchRecordLength, ' ')
    assert(line.length === fedAchRecordLength, `FedACH record is ${fedAchRecordLength} characters: ${raw.slice(0, 20)}`)
    const routingNumber = line.slice(0, 9)
    const recordType = line.slice(19, 20)
    assert(/^[0-9]{9}$/.test(routingNumber), `FedACH record starts with a routing number: ${raw.slice(0, 20)}`)
    assert(recordType === '0' || recordType === '1' || recordType === '2', `FedACH record type is 0, 1 or 2: ${raw.slice(0, 20)}`)
    const newRouting = line.slice(26, 35)
    byRouting.set(routingNumber, {
      routingNumber,
      recordType,
      newRoutingNumber: recordType === '2' && /^[0-9]{9}$/.test(newRouting) && newRouting !== '000000000' ? newRouting : undefined,
      name: line.slice(35, 71).trim(),
      city: line.slice(107, 127).trim(),
      state: line.slice(127, 129).trim(),
      postalCode: line.slice(129, 134).trim(),
    })
  }
  return byRouting
}

let bundled: Map<string, FedAchParticipant> | undefined
/** The bundled directory, parsed on first use (≈18k records, a few milliseconds). */
export function fedAchDirectory(): Map<string, FedAchParticipant> {
  bundled ??= parseFedAchDirectory(readFileSync(bundledFedAchDirectory, 'latin1'))
  return bundled
}

export type RoutingCheck =
  | { ok: true; participant: FedAchParticipant }
  | { ok: false; reason: 'format' | 'checksum' | 'not_in_directory'; detail: string }

/** Whether an ACH routing number can receive entries: nine digits, a valid checksum, a FedACH participant. */
export function checkAchRoutingNumber(routingNumber: string, directory = fedAchDirectory()): RoutingCheck {
  if (!/^[0-9]{9}$/.test(routingNumber)) return { ok: false, reason: 'format', detail: 'must be 9 digits' }
  if (!abaChecksumValid(routingNumber)) return { ok: false, reason: 'checksum', detail: 'fails the ABA checksum' }
  const participant = directory.get(routingNumber)
  if (!participant) return { ok: false, reason: 'not_in_directory', detail: 'is not in the FedACH participant directory' }
  return { ok: true, participant }
}
