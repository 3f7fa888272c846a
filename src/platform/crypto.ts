import { createCipheriv, createDecipheriv, createHmac, hash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { assert } from './assert.js'

// PII at rest (SSN, EIN, later PAN and CVV): AES-256-GCM, a fresh 96-bit nonce per value.
// Stored form: "v1:" + base64(nonce ‖ ciphertext ‖ tag). A database dump holds nothing usable
// without the key.
const keyBytes = 32
const nonceBytes = 12
const tagBytes = 16
const prefix = 'v1:'

export class Vault {
  private readonly key: Buffer
  constructor(key: Buffer) {
    assert(key.length === keyBytes, 'encryption key is 32 bytes')
    this.key = key
  }

  encrypt(plain: string): string {
    const nonce = randomBytes(nonceBytes)
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return prefix + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')
  }

  /**
   * A keyed fingerprint (HMAC-SHA-256 under a key derived from the vault's) for finding or
   * de-duplicating a secret without decrypting every row. A plain hash would not do for a value
   * from a small space (a PAN with a known BIN): anyone with a dump could enumerate it.
   */
  fingerprint(plain: string): string {
    this.fingerprintKey ??= createHmac('sha256', this.key).update('keel fingerprint v1').digest()
    return createHmac('sha256', this.fingerprintKey).update(plain, 'utf8').digest('hex')
  }
  private fingerprintKey: Buffer | undefined

  decrypt(stored: string): string {
    assert(stored.startsWith(prefix), 'encrypted value has a known version')
    const raw = Buffer.from(stored.slice(prefix.length), 'base64')
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, nonceBytes))
    decipher.setAuthTag(raw.subarray(raw.length - tagBytes))
    return Buffer.concat([decipher.update(raw.subarray(nonceBytes, raw.length - tagBytes)), decipher.final()]).toString('utf8')
  }
}

function parseKey(text: string): Buffer {
  const t = text.trim()
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64')
  if (key.length !== keyBytes) throw new Error('KEEL_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64')
  return key
}

/** The configured key, or one generated once and kept under the data directory (with a warning). */
export function loadVault(configured: string | undefined, dataDir: string, warn: (msg: string) => void): Vault {
  if (configured) return new Vault(parseKey(configured))
  const file = join(dataDir, 'encryption.key')
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(file, randomBytes(keyBytes).toString('hex') + '\n', { mode: 0o600, flag: 'wx' })
  }
  warn(`KEEL_ENCRYPTION_KEY is not set; using the generated key in ${file}. Set it in production.`)
  return new Vault(parseKey(readFileSync(file, 'utf8')))
}

/**
 * SHA-256 of a string (as UTF-8) or of bytes, in hex. Node's one-shot `hash` (Node 20.12 and later)
 * makes no Hash object: about a third of createHash's time for a request's few hundred bytes, which
 * every keyed request hashes (requestHashOf).
 */
export const sha256Hex = (s: string | Buffer): string => hash('sha256', s, 'hex')
