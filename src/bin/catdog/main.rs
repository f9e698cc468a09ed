//! The `catdog` command: train and predict on folders of photos with the same core and the same
//! training plan as the page. Only argument parsing, printing and exit codes live here.

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod predict;
#[cfg(not(target_arch = "wasm32"))]
mod train;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    let result = match args::Cli::parse().command {
        args::Command::Train(args) => train::run(&args),
        args::Command::Predict(args) => predict::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            exit_code(&err)
        }
    }
}

/// 1 for a failure while working, 2 for bad input (the default).
#[cfg(not(target_arch = "wasm32"))]
fn exit_code(err: &catdog::Error) -> std::process::ExitCode {
    match err {
        catdog::Error::Diverged { .. } | catdog::Error::Chart(_) => std::process::ExitCode::from(1),
        _ => std::process::ExitCode::from(2),
    }
}

// The package's binary is built alongside wasm tests; in the browser there is no command line.
#[cfg(target_arch = "wasm32")]
fn main() {}
