// A bounded teacher workload against a running host, for looking at the console under load:
// each worker signs in as its own demo teachers, lists exams, reads a paper, starts an attempt,
// saves an answer and submits. Stops after the given seconds or requests, whichever comes first.
// node scripts/teacher-load.mjs http://127.0.0.1:5080 [workers=16] [seconds=60] [maxRequests=200000] [teachers=2000]
const [base, workers = '16', seconds = '60', maxRequests = '200000', teachers = '2000'] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
let requests = 0;
const statuses = new Map();

async function call(method, path, token, body) {
  requests++;
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  }).catch(() => ({ status: 0, json: async () => null, text: async () => '' }));
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  const text = await response.text();
  return { status: response.status, body: text && response.status < 300 ? JSON.parse(text) : null };
}

const more = () => Date.now() < deadline && requests < Number(maxRequests);

async function worker(index) {
  for (let n = index + 1; more(); n += Number(workers)) {
    const digits = String(((n - 1) % Number(teachers)) + 1).padStart(7, '0');
    const login = await call('POST', '/api/auth/login', null, { teacherCode: `T${digits}`, password: `pass-${digits}` });
    if (login.status !== 200) continue;
    const token = login.body.token;
    const exams = await call('GET', '/api/exams', token);
    for (const exam of exams.body ?? []) {
      if (!more()) return;
      const paper = await call('GET', `/api/exams/${exam.examId}/paper`, token);
      const attempt = await call('POST', `/api/exams/${exam.examId}/attempts`, token);
      if (!paper.body || !attempt.body) continue;
      const answers = paper.body.questions.slice(0, 5).map(q => ({ questionId: q.questionId, optionId: q.options[0].optionId }));
      await call('PUT', `/api/attempts/${attempt.body.attemptId}/answers`, token, { answers });
      await call('POST', `/api/attempts/${attempt.body.attemptId}/submit`, token, { submissionId: crypto.randomUUID(), answers });
    }
  }
}

await Promise.all(Array.from({ length: Number(workers) }, (_, i) => worker(i)));
console.log(`${requests} requests in ${seconds} s or less; by status: ${[...statuses].map(([s, c]) => `${s}=${c}`).join(' ')}`);
