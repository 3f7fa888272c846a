// Built screening indexes kept on disk, so that a process screening against the list bundled in
// data/ofac/ reads its index instead of building it: parsing and building took 1.4–2 s in every
// process that screened (`keel start`, `keel watchlist`, each test file that verifies a party);
// with the list's files read and both digests checked, a process has it in about 0.45 s.
//
// One file per list version and build of the index, under node_modules/.cache/keel/ (the place
// packages keep what they derive from what is installed). A file is named by its key: the SHA-256
// of the list's version, of the code that parses and indexes a list (every module of this folder,
// so a change to normalising or blocking never meets an index built the old way) and of V8's
// version. It holds the SHA-256 of its payload, then the payload: node:v8's serialization of the
// key and the index's parts. A file that is missing, cut short, altered or made under another key is
// not used: the index is built and the file written again (to a temporary name, then renamed, so a
// reader never sees half a file). Where the folder cannot be written, every process builds, as before.
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import { WatchlistIndex, type WatchlistIndexParts } from './watchlist-index.js'

export const indexCacheDirDefault = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'keel')

interface CacheFile { key: string; parts: WatchlistIndexParts }

const digestBytes = 32
const filePrefix = 'watchlist-index-'

let codeDigest: string | undefined
/** The SHA-256 of this folder's modules (tests aside): what turns a list's files into its index. */
function indexCode(): string {
  if (!codeDigest) {
    const h = createHash('sha256')
    for (const name of readdirSync(import.meta.dirname).filter((n) => /\.[cm]?[jt]s$/.test(n) && !n.includes('.test.')).sort()) {
      h.update(name).update('\0').update(readFileSync(join(import.meta.dirname, name))).update('\0')
    }
    codeDigest = h.digest('hex')
  }
  return codeDigest
}

/** What a kept index must have been made under: the list's version, this code and this V8. */
export function indexCacheKey(version: string): string {
  return createHash('sha256').update(version).update('\0').update(indexCode()).update('\0').update(process.versions.v8).digest('hex')
}

/** The file that keeps the index of a list version. */
export function indexCachePath(version: string, dir = indexCacheDirDefault): string {
  return pathOf(indexCacheKey(version), dir)
}

const pathOf = (key: string, dir: string) => join(dir, `${filePrefix}${key.slice(0, 32)}.bin`)

/** The index kept for `version`, or undefined when there is none to trust. */
export function readCachedIndex(version: string, dir = indexCacheDirDefault): WatchlistIndex | undefined {
  const key = indexCacheKey(version)
  let bytes: Buffer
  try { bytes = readFileSync(pathOf(key, dir)) } catch { return undefined }
  if (bytes.length <= digestBytes) return undefined
  const payload = bytes.subarray(digestBytes)
  if (!createHash('sha256').update(payload).digest().equals(bytes.subarray(0, digestBytes))) return undefined
  let file: CacheFile
  try { file = deserialize(payload) as CacheFile } catch { return undefined }
  if (file?.key !== key) return undefined
  return WatchlistIndex.restore(file.parts)
}

/** Keeps `index` as the one for `version`; false when the folder cannot be written (nothing is left behind). */
export function writeCachedIndex(version: string, index: WatchlistIndex, dir = indexCacheDirDefault): boolean {
  const key = indexCacheKey(version)
  const path = pathOf(key, dir)
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
  try {
    mkdirSync(dir, { recursive: true })
    const payload = serialize({ key, parts: index.parts() } satisfies CacheFile)
    writeFileSync(temporary, Buffer.concat([createHash('sha256').update(payload).digest(), payload]))
    renameSync(temporary, path)
    // What another list version or older code kept is never read again: 20-odd MB each.
    for (const name of readdirSync(dir)) {
      if (name.startsWith(filePrefix) && name.endsWith('.bin') && join(dir, name) !== path) rmSync(join(dir, name), { force: true })
    }
    return true
  } catch {
    try { rmSync(temporary, { force: true }) } catch { /* its folder could not be made */ }
    return false
  }
}

/** The index of a list version: read from its file, else built by `build` and kept. */
export function cachedIndex(version: string, build: () => WatchlistIndex, dir = indexCacheDirDefault): WatchlistIndex {
  const kept = readCachedIndex(version, dir)
  if (kept) return kept
  const index = build()
  writeCachedIndex(version, index, dir)
  return index
}
