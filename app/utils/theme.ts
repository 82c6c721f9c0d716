/** Colour themes: dark (the default), light, or whatever the device prefers. */
export const THEMES = ["dark", "light", "system"] as const;
export type Theme = (typeof THEMES)[number];
