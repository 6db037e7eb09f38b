import { startTestServer } from './test/helpers/testServer.ts';
const s = await startTestServer();
const u = await s.http.signUp('probe');
const big = 3000000000;
const g = await s.http.post('/chat/groups', { name: 'g' }, u.access_token);
const reqs: [string, string, unknown?][] = [
  ['GET', `/users/${big}`], ['GET', `/boards/${big}`], ['GET', `/posts/${big}`], ['GET', `/files/${big}`], ['GET', `/ai/jobs/${big}`],
  ['GET', `/chat/groups/${big}`], ['GET', `/chat/dms/${big}/messages`], ['GET', `/chat/groups/${g.body.id}/messages?before=${big}`],
  ['POST', `/chat/groups/${g.body.id}/invite`, { user_id: big }], ['POST', `/users/${big}/follow`], ['PATCH', '/users/me', { avatar_file_id: big }],
  ['POST', `/chat/dms/${big}/read`, {}], ['PATCH', '/users/me', { bio: 'a\u0000b' }], ['GET', '/health'], ['POST', '/ai/jobs', { model: 'sentiment', task: 'predict', input: { text: 'a\u0000b' } }],
  ['GET', `/chat/groups/${g.body.id}/messages?before=1e300`],
];
for (const [m, p, b] of reqs) { const r = await s.http.request(m, p, { body: b, token: u.access_token }); console.log(m, p, r.status, JSON.stringify(r.body).slice(0, 150)); }
const h = await s.http.request('GET', '/health', { headers: { authorization: 'Bearer garbage' } }); console.log('health garbage', h.status);
await s.close();
