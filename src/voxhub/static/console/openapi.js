// openapi.js: limits read from the API's own OpenAPI document (open to everyone), once.

let loaded = null;

// maxLength of the `text` field of a request body schema (TTSRequest, JobRequest)
export async function textLimit(schema, fallback) {
  if (!loaded) loaded = fetch("/openapi.json").then((response) => response.json());
  try {
    const document = await loaded;
    return document.components.schemas[schema].properties.text.maxLength || fallback;
  } catch {
    return fallback;
  }
}
