// A screen that throws while rendering shows what broke and a way back, instead of blanking the
// whole window (the environment badge and navigation stay usable).
import { Component, type ReactNode } from "react";
import i18n from "../i18n";

type State = { error: Error | null };

export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidUpdate(previous: { resetKey: string }): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="state state-error" role="alert" data-testid="error-state" data-code="ui_crashed">
        <strong>{i18n.t("errors.ui_crashed")}</strong>
        <p className="mono small" dir="ltr">
          {error.message}
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          {i18n.t("common.retry")}
        </button>
      </div>
    );
  }
}
