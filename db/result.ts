/** Expected failures of data functions: values, mapped to HTTP status and a message at the edge. */
export interface Failure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

export type Result<T> = ({ ok: true } & T) | Failure;

export const fail = (status: number, code: string, message: string): Failure => ({ ok: false, status, code, message });
