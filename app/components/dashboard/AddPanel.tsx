/**
 * "Add a panel": the panels the player removed from the dashboard, to show again (below the others).
 * A plain form: it works without JavaScript, and the page reads the layout again after it.
 */
import { Form } from "@remix-run/react";
import type { PanelId } from "~/utils/dashboard/layout";
import { PANEL_TITLES } from "./Panels";

export function AddPanel({ removed, csrf }: { removed: PanelId[]; csrf: string }) {
  if (removed.length === 0) return null;
  return (
    <Form method="post" action="/dashboard" className="dashboard-add" preventScrollReset>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="intent" value="add" />
      <label htmlFor="dashboard-add">Add a panel</label>
      <select id="dashboard-add" name="panel" defaultValue={removed[0]}>
        {removed.map((id) => (
          <option key={id} value={id}>
            {PANEL_TITLES[id]}
          </option>
        ))}
      </select>
      <button type="submit">Add</button>
    </Form>
  );
}
