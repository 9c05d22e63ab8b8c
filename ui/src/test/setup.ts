import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { resetAll } from "./harness";

afterEach(() => {
  cleanup();
  resetAll();
});

// jsdom lays nothing out: cmdk scrolls the chosen item into view and measures its list.
Element.prototype.scrollIntoView ??= function scrollIntoView() {};
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;
