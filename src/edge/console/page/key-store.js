// The api key, kept for this tab only (sessionStorage: gone when the tab closes, never sent
// anywhere but in the x-api-key header of this origin's API calls).

const NAME = "hobom-console.api-key";
// Where sessionStorage is refused (some private modes), the key lives as long as the page.
let inMemory = null;

export const keyStore = {
  get() {
    try {
      return sessionStorage.getItem(NAME) ?? inMemory;
    } catch {
      return inMemory;
    }
  },
  set(key) {
    inMemory = key;
    try {
      sessionStorage.setItem(NAME, key);
    } catch {
      // Kept in memory only; nothing else to do.
    }
  },
  clear() {
    inMemory = null;
    try {
      sessionStorage.removeItem(NAME);
    } catch {
      // Nothing stored, nothing to remove.
    }
  },
};
