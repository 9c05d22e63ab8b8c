import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./styles.css";

async function boot(): Promise<void> {
  // `vite --mode mock`: run in a plain browser against the fake shell. The condition is a
  // build-time constant, so production bundles carry no mock code.
  if (import.meta.env.MODE === "mock") {
    const { installFakeShell } = await import("./ipc/mock/fakeShell");
    installFakeShell();
  }
  const root = document.getElementById("root");
  if (root) {
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  }
}

void boot();
