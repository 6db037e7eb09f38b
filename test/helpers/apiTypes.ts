import openapiTS, { astToString } from 'openapi-typescript';

/** Where the generated types of the served OpenAPI document are checked in (regenerate: `npm run api:types`). */
export const API_TYPES_FILE = new URL('../generated/plazaApi.ts', import.meta.url);

/** TypeScript types of an OpenAPI document, as openapi-typescript writes them for openapi-fetch. */
export async function generateApiTypes(document: object): Promise<string> {
  const banner = '// Generated from /openapi.json by openapi-typescript: do not edit; run `npm run api:types`.\n';
  return banner + astToString(await openapiTS(document as never));
}
