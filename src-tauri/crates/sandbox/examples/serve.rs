//! `cargo run -p casebridge-sandbox --example serve -- --json --urls-file F`
//!
//! The same code as `casebridge sandbox` (the file is shared, not copied),
//! runnable without building the rest of the CLI and its engine. The
//! conformance harness falls back to it when the CLI does not build.

#[path = "../../cli/src/cmd_sandbox.rs"]
mod cmd_sandbox;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "serve",
    about = "Run the Casebridge sandbox fakes until Ctrl-C"
)]
struct Cli {
    #[command(flatten)]
    args: cmd_sandbox::SandboxArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match cmd_sandbox::run(Cli::parse().args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}\n  hint: {}", e.hint());
            std::process::ExitCode::FAILURE
        }
    }
}
