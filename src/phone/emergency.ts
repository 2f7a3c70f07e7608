// Emergency numbers by home region, as a caller in that region dials them.
//
// libphonenumber-js ships no short-number data, so this table is kept by hand. Sources:
// - Google libphonenumber `resources/ShortNumberMetadata.xml`, the `<emergency>` pattern of each
//   territory (read through its Python port, python-phonenumbers `shortdata/region_XX.py`);
// - ITU-T E.164 Supplement / ITU Operational Bulletin "List of emergency numbers" as summarised in
//   Wikipedia's "List of emergency telephone numbers";
// - national regulators for the largest entries (FCC for 911, Ofcom for 999/112, ACMA for 000/112).
// Only numbers listed by a source are here; a region that is missing gets no emergency handling
// (its short numbers classify as `invalid-number`). See docs/calling-areas.md, "Emergency calls".

/** Emergency numbers per ISO 3166-1 region. Digits only, exactly as dialed, without any prefix. */
export const EMERGENCY_NUMBERS: Readonly<Record<string, readonly string[]>> = {
  // North American Numbering Plan: 911 (FCC); 112 is also routed in the US and Canada (ShortNumberMetadata).
  US: ['911', '112'],
  CA: ['911', '112'],
  PR: ['911'],
  VI: ['911'],
  GU: ['911'],
  AS: ['911'],
  MP: ['911'],
  // United Kingdom and Crown Dependencies: 999 and 112 (Ofcom; ShortNumberMetadata GB, GG, JE, IM).
  GB: ['999', '112'],
  GG: ['999', '112'],
  JE: ['999', '112'],
  IM: ['999', '112'],
  IE: ['112', '999'],
  // European Union single emergency number 112, plus national numbers (ShortNumberMetadata).
  DE: ['112', '110'],
  FR: ['112', '15', '17', '18'],
  IT: ['112', '113', '115', '118'],
  ES: ['112', '085', '088'],
  NL: ['112', '911'],
  AT: ['112', '122', '133', '144'],
  CH: ['112', '117', '118', '144'],
  BE: ['112', '100', '101'],
  PT: ['112'],
  SE: ['112'],
  DK: ['112'],
  FI: ['112'],
  NO: ['112', '110', '113'],
  PL: ['112', '997', '998', '999'],
  // Asia-Pacific (ShortNumberMetadata AU, NZ, JP, CN, IN).
  AU: ['000', '112', '106'],
  NZ: ['111'],
  JP: ['110', '119'],
  CN: ['110', '119', '120'],
  IN: ['112', '100', '101', '102', '108'],
  // Latin America (ShortNumberMetadata BR, MX).
  BR: ['190', '192', '193', '112', '128', '911'],
  MX: ['911'],
};
