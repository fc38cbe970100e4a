import type { FetchLike } from '../provenance/hub-client';

/** One GET as the remote reader needs it: plain data in and out, so it can cross a worker boundary. */
export interface TransportRequest {
  url: string;
  headers: Record<string, string>;
  /** 'manual' to see redirects (Node); browsers answer it with an opaque redirect, then 'follow' is used. */
  redirect: 'manual' | 'follow';
  /** At most this many body bytes are read; the rest of the body is cancelled, never buffered. */
  maxBodyBytes: number;
}

export interface TransportResponse {
  status: number;
  /** The URL that answered (after redirects the platform followed). */
  url: string;
  /** The platform hid a redirect (browser fetch with redirect: 'manual'). */
  opaqueRedirect: boolean;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The body went on past maxBodyBytes. */
  bodyTruncated: boolean;
}

export type Transport = (request: TransportRequest, signal?: AbortSignal) => Promise<TransportResponse>;

async function readAtMost(res: Response, max: number): Promise<{ body: Uint8Array; truncated: boolean }> {
  if (!res.body) return { body: new Uint8Array(0), truncated: false };
  if (max === 0) {
    await res.body.cancel().catch(() => undefined);
    return { body: new Uint8Array(0), truncated: false };
  }
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, max - total);
      parts.push(take === value.length ? value : value.subarray(0, take));
      total += take;
      if (take < value.length) truncated = true;
    }
    if (!truncated && total >= max) truncated = !(await reader.read()).done;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return { body, truncated };
}

/** A Transport over the platform fetch (the page's, Node's). Never sends cookies or a referrer. */
export function fetchTransport(platformFetch: FetchLike): Transport {
  return async (request, signal) => {
    const res = await platformFetch(request.url, {
      method: 'GET',
      headers: request.headers,
      redirect: request.redirect,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
      signal
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const ok = res.status === 200 || res.status === 206;
    const { body, truncated } = ok ? await readAtMost(res, request.maxBodyBytes) : await readAtMost(res, 0);
    return {
      status: res.status,
      url: res.url || request.url,
      opaqueRedirect: res.type === 'opaqueredirect',
      headers,
      body,
      bodyTruncated: truncated
    };
  };
}

/** A FetchLike over a Transport (for the Hub API client where only a transport crosses into a worker). */
export function transportFetch(transport: Transport, maxBodyBytes = 64 * 1024 * 1024): FetchLike {
  return async (url, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
    const res = await transport(
      { url, headers, redirect: 'follow', maxBodyBytes },
      init?.signal ?? undefined
    );
    const empty = res.status === 204 || res.status === 304 || (res.status >= 300 && res.status < 400);
    return new Response(empty ? null : (res.body as BodyInit), { status: res.status, headers: res.headers });
  };
}
