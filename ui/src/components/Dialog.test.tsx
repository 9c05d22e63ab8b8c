import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import "../i18n";
import { Dialog } from "./Dialog";

function Opener({ body }: { body: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>open</button>
      {open && (
        <Dialog title="Refund" testId="d" onClose={() => setOpen(false)}>
          {body}
        </Dialog>
      )}
    </>
  );
}

describe("Dialog", () => {
  it("focuses the first field, closes on Escape and gives the focus back", async () => {
    const user = userEvent.setup({ delay: null });
    render(<Opener body={<form><button type="button">Other</button><input aria-label="amount" /><button type="submit">Send</button></form>} />);
    await user.click(screen.getByText("open"));
    expect(screen.getByTestId("d")).toHaveAttribute("role", "dialog");
    expect(screen.getByRole("dialog", { name: "Refund" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText("amount")).toHaveFocus());
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("d")).toBeNull();
    await waitFor(() => expect(screen.getByText("open")).toHaveFocus());
  });

  it("with no field, focuses the form's submit button, never the close button", async () => {
    const user = userEvent.setup({ delay: null });
    render(<Opener body={<form><button type="button">Back</button><button type="submit">Send</button></form>} />);
    await user.click(screen.getByText("open"));
    await waitFor(() => expect(screen.getByText("Send")).toHaveFocus());
    await user.click(screen.getByLabelText("Close"));
    expect(screen.queryByTestId("d")).toBeNull();
  });

  it("closes on a click outside", async () => {
    const user = userEvent.setup({ delay: null });
    render(<Opener body={<p>text</p>} />);
    await user.click(screen.getByText("open"));
    await waitFor(() => expect(screen.getByLabelText("Close")).not.toHaveFocus());
    await user.click(document.querySelector(".backdrop") as HTMLElement);
    expect(screen.queryByTestId("d")).toBeNull();
  });
});
