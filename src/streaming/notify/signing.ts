/**
 * Webhook signatures, Stripe-style: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * t + "." + body)>`. The timestamp is inside the signed text so a captured request cannot be
 * replayed later with a fresh `t`; receivers reject a `t` too far from their clock. WebCrypto only,
 * so the same code runs in workerd, Node and the browser.
 */

const encoder = new TextEncoder();

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return toHex(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

/** The `X-Signature` value for one attempt (`t` is the attempt's time, in whole seconds). */
export async function signatureHeader(secret: string, unixSeconds: number, body: string): Promise<string> {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${await hmacSha256Hex(secret, `${t}.${body}`)}`;
}

/** Parses `t=…,v1=…` (any order, unknown keys ignored); null when either part is missing or malformed. */
export function parseSignatureHeader(header: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value !== undefined && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === "v1" && value !== undefined && /^[0-9a-f]{64}$/.test(value)) v1.push(value);
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

/** A channel secret: 32 random bytes, hex, with a prefix so a leaked one is recognizable in logs. */
export function newChannelSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${toHex(bytes.buffer)}`;
}
