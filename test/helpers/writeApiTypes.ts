import fs from 'node:fs';
import { startTestServer } from './testServer.ts';
import { API_TYPES_FILE, generateApiTypes } from './apiTypes.ts';

/** Regenerates the checked-in client types from the document a fresh server serves. */
const server = await startTestServer();
try {
  const document = (await server.http.get('/openapi.json')).body;
  fs.writeFileSync(API_TYPES_FILE, await generateApiTypes(document));
  console.log(`Wrote ${API_TYPES_FILE.pathname}`);
} finally {
  await server.close();
}
