//! The command line: every flag and subcommand of `mizan`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mizan",
    version = crate::VERSION,
    about = "Mizan: the operations console for Tamara merchants"
)]
pub struct Cli {
    /// Environment to act on (default: MIZAN_ENV, else sandbox).
    #[arg(long, global = true, value_enum)]
    pub env: Option<EnvArg>,
    /// Where the local cache lives (default: MIZAN_DATA_DIR, else ~/.local/share/mizan).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Machine-readable output on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Work on a team server's data (`https://host:port`) instead of the local cache; the
    /// token is MIZAN_SERVER_TOKEN or the one `login` saved in the OS keychain.
    #[arg(long, global = true, env = "MIZAN_SERVER", value_name = "URL")]
    pub server: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvArg {
    Sandbox,
    Production,
}

// One value per process, parsed once: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the built-in Tamara sandbox simulator (same as `tamara-sandbox`).
    Sandbox(tamara_sandbox::cli::Args),
    /// Checkout sessions.
    #[command(subcommand)]
    Checkout(CheckoutCommand),
    /// Orders: read from the API into the cache, or from the cache.
    #[command(subcommand)]
    Orders(OrdersCommand),
    /// Webhook registrations at Tamara, and the history of deliveries received.
    #[command(subcommand)]
    Webhooks(crate::webhooks::WebhooksCommand),
    /// Health: circuit breaker, inbox backlog, last reconciler sweep, configured URLs.
    Status,
    /// Re-read every open order from Tamara now (one reconciler sweep) and print the report.
    Reconcile,
    /// Headless service: webhook receiver, inbox processor and checkout redirect pages; with
    /// `--database postgres://…`, the team server (the team API under /api/v1).
    Serve(crate::serve::ServeArgs),
    /// The team server's people and personal tokens (on the server's host).
    #[command(subcommand)]
    Team(crate::team::TeamCommand),
    /// With --server: check a personal token and save it in the OS keychain.
    Login,
    /// With --server: the four-eyes approval queue (list, approve ID, reject ID).
    Approvals {
        #[command(subcommand)]
        command: Option<crate::remote::ApprovalsCommand>,
    },
    /// The go-live checklist: evidence, manual marks, sign-off report.
    Checklist(crate::checklist::ChecklistArgs),
    /// Authorise an approved order (money move; production needs --confirm).
    Authorise(crate::moves::AuthoriseArgs),
    /// Capture all or part of an authorised order (money move; production needs --confirm).
    Capture(crate::moves::CaptureArgs),
    /// Refund captured money, with a comment (money move; production needs --confirm).
    Refund(crate::moves::RefundArgs),
    /// Cancel what is not captured, all or part (money move; production needs --confirm).
    Cancel(crate::moves::CancelArgs),
    /// Settle a money move whose outcome stayed unknown, after checking with Tamara.
    Resolve(crate::resolve::ResolveArgs),
    /// Tamara credentials in the OS keychain: set (prompt/stdin only), show, test, delete.
    #[command(subcommand)]
    Credentials(crate::credentials::CredentialsCommand),
    /// The audit log: list entries, verify the chain against its signed checkpoints, rotate
    /// the audit key.
    #[command(subcommand)]
    Audit(crate::audit::AuditCommand),
    /// Settlement, audit and order CSVs (from the local store).
    #[command(subcommand)]
    Export(crate::export::ExportCommand),
    /// Disputes: status and days left to respond; refresh and comment where the (third-party
    /// documented) dispute API is configured.
    #[command(subcommand)]
    Disputes(crate::disputes::DisputesCommand),
    /// Tamara's settlement statements: read, import, reconcile against the ledger, report.
    #[command(subcommand)]
    Settlement(crate::settlement::SettlementCommand),
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum CheckoutCommand {
    /// Create a checkout session (from flags, or a JSON request with --file).
    Create(CheckoutCreateArgs),
    /// Check a checkout request JSON against Tamara's schema and rules; nothing is sent.
    /// Exit 1 when it has errors.
    Check(crate::checkout_check::CheckArgs),
    /// In the store: Tamara texts the customer a link to pay this amount (or, with --qr,
    /// the till shows it as a QR code).
    InStore(crate::in_store::InStoreArgs),
    /// Void an in-store session the customer has not paid.
    Void(crate::in_store::VoidArgs),
    /// Whether Tamara has verified a customer's national ID (SA and AE).
    IdStatus(crate::in_store::IdStatusArgs),
    /// The payment types Tamara offers in a country, with their limits and instalments.
    PaymentTypes(crate::in_store::PaymentTypesArgs),
    /// Whether Tamara would offer this customer anything for this amount.
    PreCheck(crate::in_store::PreCheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckoutCreateArgs {
    /// A complete JSON request body (reference §5.2); the other flags are then not allowed.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["reference", "amount"])]
    pub file: Option<PathBuf>,
    /// The merchant's order reference (order_reference_id).
    #[arg(long, required_unless_present = "file")]
    pub reference: Option<String>,
    /// Total amount, e.g. 460.00 (at most the currency's decimals).
    #[arg(long, required_unless_present = "file", allow_negative_numbers = true)]
    pub amount: Option<String>,
    #[arg(long, default_value = "SAR")]
    pub currency: String,
    /// Country code; derived from the currency when omitted.
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long, default_value = "PAY_BY_INSTALMENTS")]
    pub payment_type: String,
    #[arg(long, default_value_t = 3)]
    pub instalments: u32,
    #[arg(long, default_value = "Order from Mizan")]
    pub description: String,
    #[arg(long, default_value = "0")]
    pub shipping: String,
    #[arg(long, default_value = "0")]
    pub tax: String,
    #[arg(long, default_value = "544337866")]
    pub phone: String,
    #[arg(long, default_value = "Sara")]
    pub first_name: String,
    #[arg(long, default_value = "Khalid")]
    pub last_name: String,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long, default_value = "Riyadh")]
    pub city: String,
    #[arg(long, default_value = "1 King Fahd Rd")]
    pub line1: String,
    #[arg(long, default_value = "en_US")]
    pub locale: String,
    /// Where Tamara sends the customer back (the order is confirmed from the API, never
    /// from the redirect). Defaults to `mizan serve`'s pages on loopback.
    #[arg(long, default_value = "http://127.0.0.1:8766/checkout/success")]
    pub success_url: String,
    #[arg(long, default_value = "http://127.0.0.1:8766/checkout/failure")]
    pub failure_url: String,
    #[arg(long, default_value = "http://127.0.0.1:8766/checkout/cancel")]
    pub cancel_url: String,
}

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
    /// Read an order from Tamara's API (by id, or --ref) and store it in the cache.
    Fetch {
        /// Tamara order id.
        #[arg(required_unless_present = "reference", conflicts_with = "reference")]
        order_id: Option<String>,
        /// The merchant's order reference instead of the id.
        #[arg(long = "ref")]
        reference: Option<String>,
    },
    /// List cached orders (no network), newest first.
    List(OrdersListArgs),
    /// Show one cached order with its items and money movements (no network).
    Show {
        /// Tamara order id or the merchant's reference.
        order: String,
    },
    /// Orders that need a person: approved and not authorised (72 h), authorised and not
    /// captured (auto-capture at 21 days), webhook processing failed (no network).
    Stuck,
    /// A cached order's statement, or one move's receipt (--entry), as printable HTML: open it
    /// in a browser to print or save as PDF. Never overwrites a file unless --force.
    Statement {
        /// Tamara order id or the merchant's reference.
        order: String,
        /// Only this money move (its ledger id, as `orders show --json` lists them).
        #[arg(long)]
        entry: Option<i64>,
        /// en or ar.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Where to write; `-` for stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: std::path::PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Correct an order's reference at Tamara (audited), then re-read the order.
    SetRef {
        /// Tamara order id.
        order_id: String,
        /// The new merchant reference.
        reference: String,
    },
}

#[derive(Debug, Args)]
pub struct OrdersListArgs {
    /// Only these statuses (comma-separated, e.g. approved,authorised).
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[arg(long)]
    pub currency: Option<String>,
    /// Part of the merchant reference.
    #[arg(long = "ref")]
    pub reference: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}
