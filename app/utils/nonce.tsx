import { createContext, useContext } from "react";

/**
 * This response's Content-Security-Policy nonce (ADR 021), given by entry.server from the load
 * context. In the browser it is "" (browsers hide nonce attributes; scripts added after hydration
 * are trusted through 'strict-dynamic').
 */
const NonceContext = createContext("");
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
