// Name normalisation for screening: both the list and every query go through the same steps, so a
// name matches whatever its script, case, punctuation, accents, honorifics or legal form.
//
//   1. transliterate Cyrillic and Greek to Latin (BGN/PCGN-style, the romanisation OFAC itself uses)
//   2. decompose (NFD) and drop combining marks: "José Müller" → "jose muller"; map the Latin letters
//      that do not decompose (ß, æ, ø, ł, đ, þ, ı)
//   3. lower-case; apostrophes and dots join ("O'Brien" → "obrien", "S.A." → "sa"); any other
//      punctuation separates ("AL-HASSAN" → "al hassan")
//   4. drop honorifics, generational suffixes, legal forms and a few stop words, unless that would
//      leave nothing (a company called "The Company" is still screened)

const cyrillic: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  // Ukrainian and Belarusian letters.
  є: 'ye', і: 'i', ї: 'yi', ґ: 'g', ў: 'u',
}
const greek: Record<string, string> = {
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm', ν: 'n', ξ: 'x',
  ο: 'o', π: 'p', ρ: 'r', σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'ch', ψ: 'ps', ω: 'o',
}
const latinExtras: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h' }

/** Words that say nothing about who a party is. */
const droppedWords = new Set([
  // honorifics and titles
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'lord', 'lady', 'madam', 'mme', 'mlle',
  'herr', 'frau', 'sheikh', 'shaikh', 'sheik', 'haji', 'hajji', 'rev', 'reverend', 'fr', 'capt', 'captain', 'gen', 'general', 'col', 'colonel',
  // generational and degree suffixes
  'jr', 'sr', 'ii', 'iii', 'iv', 'esq', 'phd', 'md',
  // legal forms
  'ltd', 'limited', 'llc', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'plc', 'sa', 'srl', 'sro',
  'gmbh', 'ag', 'bv', 'nv', 'llp', 'lp', 'pte', 'pvt', 'ooo', 'oao', 'zao', 'pjsc', 'ojsc', 'jsc', 'cjsc', 'fze', 'fzco',
  'fzc', 'sarl', 'spa', 'sas', 'kg', 'ab', 'as', 'oy', 'lda', 'cv',
  // stop words
  'the', 'and', 'of', 'a',
])

// Greek vowel digraphs: αυ/ευ sound "af/ef" before a voiceless consonant, "av/ev" otherwise; ου is "ou".
const greekDigraphs: Array<[RegExp, string]> = [
  [/αυ(?=[θκξπστφχψ])/g, 'af'], [/ευ(?=[θκξπστφχψ])/g, 'ef'], [/αυ/g, 'av'], [/ευ/g, 'ev'], [/ου/g, 'ou'],
]

function transliterate(text: string): string {
  // й and ё are letters of their own, not и and е with marks: map them before decomposing drops marks.
  let t = text.toLowerCase().replace(/й/g, 'y').replace(/ё/g, 'e').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  for (const [pattern, latin] of greekDigraphs) t = t.replace(pattern, latin)
  let out = ''
  for (const ch of t) out += cyrillic[ch] ?? greek[ch] ?? latinExtras[ch] ?? ch
  return out
}

/** The comparable tokens of a name, in their original order. */
export function nameTokens(name: string): string[] {
  const plain = transliterate(name)
    // Anything left outside a–z/0–9 separates words.
    .replace(/['’`.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
  if (plain === '') return []
  const all = plain.split(' ')
  const kept = all.filter((t) => !droppedWords.has(t))
  return kept.length > 0 ? kept : all
}

/**
 * OFAC lists individuals as "LAST, First Middle". The natural order ("First Middle LAST") is what a
 * customer's name looks like, so whole-name comparison uses it.
 */
export function naturalOrder(listedName: string): string {
  const comma = listedName.indexOf(',')
  if (comma < 0) return listedName
  return `${listedName.slice(comma + 1).trim()} ${listedName.slice(0, comma).trim()}`
}

/**
 * A coarse phonetic key for blocking: first letter kept, then consonants only, with letters that
 * sound alike folded together and repeats collapsed. "Mohammed", "Muhammad" and "Mohamed" share
 * "mmd"; "Dmitry" and "Dmitriy" share "dmtr".
 */
export function phoneticKey(token: string): string {
  const folded = token.replace(/ph/g, 'f').replace(/ck/g, 'k').replace(/[cq]/g, 'k').replace(/z/g, 's').replace(/w/g, 'v').replace(/j/g, 'y')
  let key = folded[0] ?? ''
  let last = key
  for (let i = 1; i < folded.length; i++) {
    const c = folded[i]
    if ('aeiouyh'.includes(c)) { last = ''; continue }
    if (c !== last) key += c
    last = c
  }
  return key
}
