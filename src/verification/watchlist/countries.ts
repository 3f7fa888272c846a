// OFAC writes countries by English name ("Korea, North", "Bahamas, The"); Keel's parties carry ISO
// 3166-1 alpha-2 codes. This table covers every country name in the bundled SDN list's addresses
// and remarks. Names that are not countries ("Region: Crimea", "undetermined", "Palestinian") and
// names missing from it simply give no code: screening then ignores country for that address.
const table =
  'Afghanistan:AF Albania:AL Algeria:DZ Angola:AO Argentina:AR Armenia:AM Aruba:AW Australia:AU Austria:AT ' +
  'Azerbaijan:AZ Bahamas,_The:BS Bahamas:BS Bahrain:BH Bangladesh:BD Barbados:BB Belarus:BY Belgium:BE Belize:BZ Benin:BJ ' +
  'Bolivia:BO Bosnia_and_Herzegovina:BA Brazil:BR Bulgaria:BG Burkina_Faso:BF Burma:MM Burundi:BI Cambodia:KH ' +
  'Canada:CA Cayman_Islands:KY Central_African_Republic:CF Chile:CL China:CN Colombia:CO Comoros:KM ' +
  'Congo,_Democratic_Republic_of_the:CD Congo,_Republic_of_the:CG Costa_Rica:CR Cote_d_Ivoire:CI Croatia:HR Cuba:CU ' +
  'Cyprus:CY Czech_Republic:CZ Denmark:DK Dominica:DM Dominican_Republic:DO Ecuador:EC Egypt:EG El_Salvador:SV ' +
  'Equatorial_Guinea:GQ Eritrea:ER Ethiopia:ET Finland:FI France:FR Georgia:GE Germany:DE Ghana:GH Gibraltar:GI ' +
  'Greece:GR Guatemala:GT Guyana:GY Haiti:HT Honduras:HN Hong_Kong:HK India:IN Indonesia:ID Iran:IR Iraq:IQ ' +
  'Ireland:IE Israel:IL Italy:IT Jamaica:JM Japan:JP Jersey:JE Jordan:JO Kazakhstan:KZ Kenya:KE Korea,_North:KP ' +
  'North_Korea:KP Korea,_South:KR South_Korea:KR Kosovo:XK Kuwait:KW Kyrgyzstan:KG Laos:LA Latvia:LV Lebanon:LB ' +
  'Liberia:LR Libya:LY Liechtenstein:LI Luxembourg:LU Malaysia:MY Mali:ML Malta:MT Man,_Isle_of:IM Marshall_Islands:MH ' +
  'Mauritania:MR Mexico:MX Mongolia:MN Montenegro:ME Morocco:MA Mozambique:MZ Namibia:NA Netherlands:NL ' +
  'Netherlands_Antilles:CW New_Zealand:NZ Nicaragua:NI Niger:NE Nigeria:NG Norway:NO Oman:OM Pakistan:PK Panama:PA ' +
  'Paraguay:PY Peru:PE Philippines:PH Poland:PL Qatar:QA Romania:RO Russia:RU Russian_Federation:RU Rwanda:RW ' +
  'Saint_Kitts_and_Nevis:KN Saint_Vincent_and_the_Grenadines:VC Samoa:WS Saudi_Arabia:SA Senegal:SN Serbia:RS ' +
  'Seychelles:SC Sierra_Leone:SL Singapore:SG Slovakia:SK Slovenia:SI Somalia:SO South_Africa:ZA South_Sudan:SS ' +
  'Spain:ES Sri_Lanka:LK Sudan:SD Sweden:SE Switzerland:CH Syria:SY Taiwan:TW Tajikistan:TJ Tanzania:TZ ' +
  'Thailand:TH The_Gambia:GM Gambia:GM Trinidad_and_Tobago:TT Tunisia:TN Turkey:TR Turkmenistan:TM Uganda:UG ' +
  'Ukraine:UA United_Arab_Emirates:AE United_Kingdom:GB United_States:US Uruguay:UY Uzbekistan:UZ Vanuatu:VU ' +
  'Venezuela:VE Vietnam:VN Virgin_Islands,_British:VG West_Bank:PS Gaza:PS Yemen:YE Zambia:ZM Zimbabwe:ZW Cook_Islands:CK ' +
  'Gabon:GA Lebanon:LB Cameroon:CM Chad:TD Moldova:MD Estonia:EE Lithuania:LT Hungary:HU Portugal:PT'

const byName = new Map<string, string>(table.split(' ').map((pair) => {
  const [name, code] = pair.split(':')
  return [name.replace(/_/g, ' ').toLowerCase(), code]
}))

/** The alpha-2 code for an OFAC country name, or undefined when it names no single country. */
export function countryCodeOf(name: string): string | undefined {
  return byName.get(name.trim().toLowerCase())
}
