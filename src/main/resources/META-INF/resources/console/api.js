// The console's only way to the server: /v1 and /oauth/token, with the bearer token held in memory
// (this module's variable) and never written to storage or cookies.

let session = null; // { token, label, expiresAt }

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function signedIn() {
  return session !== null;
}

export function sessionLabel() {
  return session ? session.label : '';
}

export function signOut() {
  session = null;
}

async function call(method, path, { body, token, form, basic } = {}) {
  const headers = { Accept: 'application/json' };
  const bearer = token || (session && session.token);
  if (basic) headers.Authorization = 'Basic ' + btoa(basic);
  else if (bearer) headers.Authorization = 'Bearer ' + bearer;
  let payload;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
  if (response.status === 204) return null;
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function begin(tokenAnswer, label) {
  session = { token: tokenAnswer.access_token, label, expiresAt: Date.now() + tokenAnswer.expires_in * 1000 };
}

/** Sign-in with an API client's credentials: the client-credentials grant. */
export async function signInWithClient(clientId, clientSecret) {
  const answer = await call('POST', '/oauth/token', {
    basic: `${clientId}:${clientSecret}`, form: { grant_type: 'client_credentials' },
  });
  begin(answer, `client ${clientId}`);
}

/** The operator's side: the admin token lists and creates orgs, and gets a 15-minute token for one. */
export const admin = {
  orgs: (adminToken, cursor) => call('GET', '/v1/admin/orgs?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''),
    { token: adminToken }),
  createOrg: (adminToken, name) => call('POST', '/v1/admin/orgs', { token: adminToken, body: { name } }),
  async enterOrg(adminToken, org) {
    const answer = await call('POST', `/v1/admin/orgs/${org.id}/tokens`, { token: adminToken, body: {} });
    begin(answer, `operator in ${org.name} (#${org.number})`);
  },
};

const q = (params) => {
  const s = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== '') s.set(k, v); });
  const text = s.toString();
  return text ? '?' + text : '';
};

export const v1 = {
  subscriptions: (search, cursor) => call('GET', '/v1/subscriptions' + q({ q: search, cursor, limit: 20 })),
  subscription: (id) => call('GET', `/v1/subscriptions/${id}`),
  change: (id, changes) => call('PATCH', `/v1/subscriptions/${id}`, { body: changes }),
  rotate: (id) => call('POST', `/v1/subscriptions/${id}/secret/rotate`, { body: {} }),
  sendTest: (id) => call('POST', `/v1/subscriptions/${id}/test`),
  remove: (id) => call('DELETE', `/v1/subscriptions/${id}`),
  attempts: (id, outcome, cursor) => call('GET', `/v1/subscriptions/${id}/attempts` + q({ outcome, cursor, limit: 50 })),
  event: (id) => call('GET', `/v1/events/${id}`),
  eventAttempts: (id, outcome) => call('GET', `/v1/events/${id}/attempts` + q({ outcome })),
  retry: (deliveryId) => call('POST', `/v1/deliveries/${deliveryId}/retry`),
  skip: (deliveryId) => call('POST', `/v1/deliveries/${deliveryId}/skip`),
  pause: (id) => call('POST', `/v1/subscriptions/${id}/pause`),
  resume: (id) => call('POST', `/v1/subscriptions/${id}/resume`),
  recover: (id, since, until, eventTypes) => call('POST', `/v1/subscriptions/${id}/recover`, { body: { since, until, eventTypes } }),
  stats: (subscriptionId) => call('GET', '/v1/stats/attempts' + q({ subscriptionId, hours: 24 })),
  audit: (action, cursor) => call('GET', '/v1/audit' + q({ action, cursor, limit: 50 })),
};
