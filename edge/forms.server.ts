/** Reading HTML form posts safely: bounded size, form content types only, string fields only. */
import { data } from "@remix-run/cloudflare";

const MAX_FORM_BYTES = 16 * 1024;
const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

export type FormProblem = { formError: string; fieldErrors?: Record<string, string> };

/** The posted form, or a thrown 4xx that the route's boundary shows in words. */
export async function readForm(request: Request): Promise<FormData> {
  if (request.method !== "POST") throw data("Only POST is accepted here.", { status: 405 });
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(type)) throw data("Send this as an HTML form.", { status: 415 });
  const length = Number(request.headers.get("Content-Length") ?? "0");
  if (length > MAX_FORM_BYTES) throw data("The form is too large.", { status: 413 });
  const body = await request.text();
  if (body.length > MAX_FORM_BYTES) throw data("The form is too large.", { status: 413 });
  try {
    return await new Response(body, { headers: { "Content-Type": request.headers.get("Content-Type")! } }).formData();
  } catch {
    throw data("The form could not be read.", { status: 400 });
  }
}

/** A text field's value ("" when absent; a file upload is treated as absent). */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
