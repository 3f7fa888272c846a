// How the ledger names a workspace's account, hold or record in its maps and sets: `workspace/id`.
//
// A batch looks each account up a dozen times or more (keysNamed, the known accounts, the plans of
// batches in flight, planning, verifying, what it leaves known), and a key built afresh each time
// is a new string: it is copied flat and hashed again at every Map or Set, and two of them are
// compared character by character. Together that was about a tenth of the server's instructions
// per keyed transfer (bench:instructions). So the key of a pair is made once and handed out again:
// its hash is computed once, and equal keys are one string, compared by reference.
//
// For what batches name many times: accounts and the holds they read. What a batch makes (a
// record, a hold) is named a few times in that batch and seldom again: it is keyed with newKey, a
// plain template string; kept here, every record and hold of the last keysKeptMax would be held in
// the old generation until the table is emptied (a card authorization makes a hold).
//
// The table is a cache and nothing depends on it: two strings for one pair (one made before the
// table was emptied, one after) are still equal keys. It holds at most keysKeptMax pairs and is
// emptied when full.

/** Pairs kept (about 200 bytes each): more than the accounts a process's batches touch in minutes. */
export const keysKeptMax = 200_000

let kept = new Map<string, Map<string, string>>()
let keptCount = 0

export interface Key { workspaceId: string; id: string }

export function keyOf(workspaceId: string, id: string): string {
  let ofWorkspace = kept.get(workspaceId)
  let key = ofWorkspace?.get(id)
  if (key !== undefined) return key
  if (keptCount >= keysKeptMax) {
    kept = new Map()
    keptCount = 0
    ofWorkspace = undefined
  }
  if (ofWorkspace === undefined) {
    ofWorkspace = new Map()
    kept.set(workspaceId, ofWorkspace)
  }
  key = `${workspaceId}/${id}`
  ofWorkspace.set(id, key)
  keptCount++
  return key
}

/** The key of something a batch makes (a record, a hold): equal to keyOf's, and not kept. */
export function newKey(workspaceId: string, id: string): string {
  return `${workspaceId}/${id}`
}

/** How many pairs the table holds now (for tests). */
export function keysKept(): number {
  return keptCount
}
