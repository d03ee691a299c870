/** JSON over fetch, for the sandbox's control API and the shop's HTTP API. */

/**
 * The decoded body of a 2xx answer; otherwise throws an Error with the server's words
 * (the control API's `error`, or problem+json's `detail` / `title`).
 */
export async function requestJson(url, { method = "GET", body, token, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method,
    headers,
    signal,
    cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(data?.error ?? data?.detail ?? data?.title ?? `HTTP ${response.status}`);
  }
  return data;
}
