export { admitRequest, type AdmittedRequest, type RequestAdmissionOptions } from './admit-request.js';
export { runAuthenticate, type AuthDecision, type Authenticate } from './authenticate.js';
export { checkOrigin, type AllowedOrigins, type OriginVerdict } from './origin-policy.js';
export { addressKey } from './address-key.js';
export { SessionSlots, type SessionSlot, type SessionSlotLimits } from './session-slots.js';
export type { Refusal } from './refusal.js';
