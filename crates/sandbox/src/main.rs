//! `tamara-sandbox`: runs the Tamara sandbox simulator until Ctrl-C / SIGTERM.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "tamara-sandbox",
    version,
    about = "Simulator of Tamara's sandbox API"
)]
struct Cli {
    #[command(flatten)]
    args: tamara_sandbox::cli::Args,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    tamara_sandbox::cli::run(Cli::parse().args).await
}
