/** Words for an HTTP status, for error boundaries. */
export function statusWords(status: number): { title: string; hint: string } {
  switch (status) {
    case 400:
      return { title: "That request didn't make sense", hint: "Check what you entered and try again." };
    case 401:
      return { title: "Please sign in", hint: "You need to be signed in to see this." };
    case 403:
      return { title: "Not allowed", hint: "You don't have access to this, or the page expired: reload and retry." };
    case 404:
      return { title: "Nothing here", hint: "This page doesn't exist (any more)." };
    case 405:
      return { title: "Not like that", hint: "This page doesn't accept that kind of request." };
    case 409:
      return { title: "Conflict", hint: "Something changed in the meantime. Reload and try again." };
    case 413:
      return { title: "Too much", hint: "What you sent is too large." };
    case 429:
      return { title: "Slow down", hint: "Too many requests; wait a moment and try again." };
    case 503:
      return { title: "Bazaar is busy", hint: "The market is briefly unavailable. Try again shortly." };
    default:
      return status >= 500
        ? { title: "Something broke on our side", hint: "It's not you. Try again in a moment." }
        : { title: `Request failed (${status})`, hint: "Try again." };
  }
}
