import { randomBytes } from 'node:crypto'

// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made by one process are
// strictly increasing (a counter in rand_a breaks ties within a millisecond), so ordering by id
// is ordering by creation, which keyset pagination relies on.
let lastMs = 0
let counter = 0
const counterMax = 0xfff
// Random bytes are drawn from the OS in blocks: one call per id cost more than the rest of uuidv7.
const randomPoolBytes = 4096
let pool = Buffer.alloc(0)
let poolAt = 0
function randomChunk(n: number): Buffer {
  if (poolAt + n > pool.length) { pool = randomBytes(randomPoolBytes); poolAt = 0 }
  poolAt += n
  return pool.subarray(poolAt - n, poolAt)
}

export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) { lastMs = nowMs; counter = randomChunk(1)[0] } else if (counter < counterMax) counter++
  else { lastMs++; counter = 0 }
  const bytes = Buffer.from(randomChunk(16))
  const ms = lastMs
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff
  bytes[2] = (ms >>> 24) & 0xff
  bytes[3] = (ms >>> 16) & 0xff
  bytes[4] = (ms >>> 8) & 0xff
  bytes[5] = ms & 0xff
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f)
  bytes[7] = counter & 0xff
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (s: string): boolean => uuidPattern.test(s)
