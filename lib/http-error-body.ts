/** The JSON body of every 4xx/5xx the kit's HTTP endpoints return: `{ "error": { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
