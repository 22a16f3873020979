/** A request turned away before it got anything: the HTTP status, a short reason, extra headers (Retry-After). */
export type Refusal = { ok: false; status: number; reason: string; headers?: Record<string, string> };
