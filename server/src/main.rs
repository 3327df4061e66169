//! `server`: runs the CodexAPI web service and its operator commands.

use clap::Parser;
use server::cli::Cli;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match server::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Before logging is set up (e.g. a bad configuration) stderr is the only channel.
            let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("error: {}\n", chain.join(": ")).as_bytes(),
            );
            ExitCode::FAILURE
        }
    }
}
