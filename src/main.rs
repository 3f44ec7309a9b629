use std::process::ExitCode;

use clap::Parser;
use policy_kb::cli::{self, Cli};

#[tokio::main]
async fn main() -> ExitCode {
    match cli::run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole chain: "loading ... failed: cases.yaml: case 'x': ...".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
