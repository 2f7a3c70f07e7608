// Facts of the E.164 numbering plan that more than one module needs: phone/ reads numbers and rate/
// matches their prefixes, and neither may import the other, so the value has its one home here.

/** Most digits of an E.164 number after its `+` (ITU-T E.164, section 6.1). */
export const MAX_E164_DIGITS = 15;
